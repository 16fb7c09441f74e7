// Which prefixes are "monitored": their route changes are stored with full attributes.
// A prefix is monitored when it overlaps an entry (one contains the other): the entries
// are the rib.monitor prefixes and each [[targets]] address as a host prefix, so every
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

export class MonitorSet {
  private readonly v4: Prefix[] = [];
  private readonly v6: Prefix[] = [];

  constructor(prefixes: readonly Prefix[], targets: readonly Address[] = []) {
    for (const p of prefixes) (p.family === 4 ? this.v4 : this.v6).push(p);
    for (const a of targets) (a.family === 4 ? this.v4 : this.v6).push({ family: a.family, len: a.family === 4 ? 32 : 128, bytes: a.bytes });
  }

  get size(): number {
    return this.v4.length + this.v6.length;
  }

  matches(p: Prefix): boolean {
    const list = p.family === 4 ? this.v4 : this.v6;
    for (let i = 0; i < list.length; i++) if (prefixesOverlap(p, list[i])) return true;
    return false;
  }

  /** The entries, as text (for logs and the API). */
  describe(): string[] {
    return [...this.v4, ...this.v6].map(formatPrefix);
  }
}
