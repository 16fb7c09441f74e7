// Which prefixes are "monitored": their route changes are stored with full attributes.
// A prefix is monitored when it overlaps an entry (one contains the other): the entries
// are the rib.monitor prefixes and each target's address (config, API or auto) as a host prefix, so every
// prefix covering a target counts, and so do a monitored prefix's more-specifics and the
// prefixes covering it (where its traffic goes when it is withdrawn). Pure.
import type { Address } from '../model/address.ts';
import { type Prefix, formatPrefix } from '../model/prefix.ts';

/** True when a and b share their first min(a.len, b.len) bits (one contains the other). */
export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const len = Math.min(a.len, b.len);
  const whole = len >>> 3;
  const x = a.bytes;
  const y = b.bytes;
  for (let i = 0; i < whole; i++) if (x[i] !== y[i]) return false;
  const bits = len & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (x[whole] & mask) === (y[whole] & mask);
}

/** Target addresses: fixed, or read again (at most every `refreshMs`) from whoever keeps them. */
export type TargetAddresses = readonly Address[] | (() => readonly Address[]);

const hostPrefix = (a: Address): Prefix => ({ family: a.family, len: a.family === 4 ? 32 : 128, bytes: a.bytes });

export class MonitorSet {
  private readonly fixed4: Prefix[] = [];
  private readonly fixed6: Prefix[] = [];
  private v4: Prefix[] = [];
  private v6: Prefix[] = [];
  private readonly source: (() => readonly Address[]) | undefined;
  private readonly now: () => number;
  private readonly refreshMs: number;
  private readAt = Number.NEGATIVE_INFINITY;

  /**
   * `targets` as a function: targets added later (through the API, auto targets) are
   * monitored too, read again at most every `refreshMs` (default 1 s) when a change is
   * matched, so the hot path costs one clock read.
   */
  constructor(prefixes: readonly Prefix[], targets: TargetAddresses = [], opts: { now?: () => number; refreshMs?: number } = {}) {
    for (const p of prefixes) (p.family === 4 ? this.fixed4 : this.fixed6).push(p);
    this.now = opts.now ?? Date.now;
    this.refreshMs = opts.refreshMs ?? 1000;
    if (typeof targets === 'function') this.source = targets;
    else this.rebuild(targets);
  }

  private rebuild(targets: readonly Address[]): void {
    this.v4 = [...this.fixed4];
    this.v6 = [...this.fixed6];
    for (const a of targets) (a.family === 4 ? this.v4 : this.v6).push(hostPrefix(a));
  }

  private fresh(): void {
    if (this.source === undefined) return;
    const now = this.now();
    if (now - this.readAt < this.refreshMs) return;
    this.readAt = now;
    this.rebuild(this.source());
  }

  get size(): number {
    this.fresh();
    return this.v4.length + this.v6.length;
  }

  matches(p: Prefix): boolean {
    this.fresh();
    const list = p.family === 4 ? this.v4 : this.v6;
    for (let i = 0; i < list.length; i++) if (prefixesOverlap(p, list[i])) return true;
    return false;
  }

  /** The entries, as text (for logs and the API). */
  describe(): string[] {
    this.fresh();
    return [...this.v4, ...this.v6].map(formatPrefix);
  }
}
