// Shared by the trace codecs: error helpers, value checks, and a small builder that
// groups replies into hops and responders. Every check throws DecodeError (layer
// 'trace') with a code naming it; nothing here throws anything else.
import { DecodeError } from '../errors.ts';
import { formatAddress, parseAddress } from '../../model/address.ts';
import type { Hop, Method, MplsEntry, Responder, ResponderStats } from '../../model/trace.ts';

export function fail(code: string, offset: number, message: string): never {
  throw new DecodeError('trace', code, offset, message);
}

/** What the runner knows and text outputs do not say: the clock, the method, the target. */
export interface TraceContext {
  /** Epoch ms when the tool was started. */
  readonly start?: number;
  /** Epoch ms when it finished. */
  readonly end?: number;
  readonly method?: Method;
  /** Target address (needed for mtr --raw, which prints none). */
  readonly target?: string;
  readonly source?: string;
}

// Bounds: wide enough for every real output (Atlas waits up to ~3 s, a congested
// satellite hop can take tens of seconds), tight enough to refuse garbage.
export const MAX_RTT_MS = 3_600_000;
export const MAX_COUNT = 1_000_000;
// 1970 .. 2200: a timestamp outside is a unit mix-up or garbage.
const MAX_TIME_MS = 7_258_118_400_000;

export function canonAddress(text: string, offset: number, what: string): string {
  const a = parseAddress(text);
  if (!a) fail('bad-address', offset, `${what} is not an IP address: ${JSON.stringify(text.slice(0, 60))}`);
  return formatAddress(a);
}

export function checkRtt(v: number, offset: number, what: string): number {
  if (!Number.isFinite(v) || v < 0 || v > MAX_RTT_MS) fail('bad-rtt', offset, `${what}: RTT ${v} ms is negative, not finite or absurd`);
  return v;
}

export function checkTtl(v: number, offset: number, what: string): number {
  if (!Number.isInteger(v) || v < 1 || v > 255) fail('bad-ttl', offset, `${what}: TTL ${v} is not 1..255`);
  return v;
}

export function checkCount(v: number, offset: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_COUNT) fail('bad-count', offset, `${what}: count ${v} is not 0..${MAX_COUNT}`);
  return v;
}

export function checkTime(ms: number, offset: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) fail('bad-time', offset, `${what}: time ${ms} ms is outside 1970..2200`);
  return ms;
}

export function checkMpls(m: MplsEntry, offset: number): MplsEntry {
  const ok = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
  if (!ok(m.label, 0xfffff) || !ok(m.exp, 7) || !ok(m.s, 1) || !ok(m.ttl, 255)) {
    fail('bad-mpls', offset, `MPLS entry out of range: label ${m.label} exp ${m.exp} s ${m.s} ttl ${m.ttl}`);
  }
  return m;
}

// ---------------------------------------------------------------- JSON access

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function parseJson(text: string, offset: number, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    return fail('not-json', offset, `${what} is not JSON: ${(e as Error).message.slice(0, 80)}`);
  }
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: Json | undefined, offset: number, what: string): JsonObject {
  if (!isObject(v)) fail('bad-shape', offset, `${what} is not an object`);
  return v;
}

export function asArray(v: Json | undefined, offset: number, what: string): Json[] {
  if (!Array.isArray(v)) fail('bad-shape', offset, `${what} is not an array`);
  return v;
}

export function asString(v: Json | undefined, offset: number, what: string): string {
  if (typeof v !== 'string') fail('bad-shape', offset, `${what} is not a string`);
  return v;
}

/** A number, or a string holding one (mtr 0.92–0.94 print numbers as strings; "0x0" too). */
export function asNumberLike(v: Json | undefined, offset: number, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim().replace(/%$/, '');
    const n = /^0x[0-9a-f]{1,8}$/i.test(s) ? Number.parseInt(s.slice(2), 16) : s === '' ? NaN : Number(s);
    if (Number.isFinite(n)) return n;
  }
  return fail('bad-shape', offset, `${what} is not a number`);
}

export function asNumber(v: Json | undefined, offset: number, what: string): number {
  if (typeof v !== 'number') fail('bad-shape', offset, `${what} is not a number`);
  return v;
}

// ---------------------------------------------------------------- building hops

export class ResponderBuilder {
  name?: string;
  rtts: number[] = [];
  sent?: number;
  received = 0;
  late = 0;
  icmpType?: number;
  icmpCode?: number;
  replyTtl?: number;
  quotedTtl?: number;
  mpls: MplsEntry[] = [];
  asnHint?: number;
  flags: string[] = [];
  stats?: ResponderStats;
  constructor(readonly address: string) {}

  flag(f: string): void {
    if (!this.flags.includes(f)) this.flags.push(f);
  }

  /** Adds MPLS entries unless this exact stack was already seen (every reply repeats it). */
  addMpls(stack: MplsEntry[]): void {
    for (const m of stack) {
      if (!this.mpls.some((x) => x.label === m.label && x.exp === m.exp && x.s === m.s && x.ttl === m.ttl)) this.mpls.push(m);
    }
  }

  build(): Responder {
    const r: { -readonly [K in keyof Responder]: Responder[K] } = { address: this.address, rtts: this.rtts, received: this.received };
    if (this.name !== undefined) r.name = this.name;
    if (this.sent !== undefined) r.sent = this.sent;
    if (this.late > 0) r.late = this.late;
    if (this.icmpType !== undefined) r.icmpType = this.icmpType;
    if (this.icmpCode !== undefined) r.icmpCode = this.icmpCode;
    if (this.replyTtl !== undefined) r.replyTtl = this.replyTtl;
    if (this.quotedTtl !== undefined) r.quotedTtl = this.quotedTtl;
    if (this.mpls.length > 0) r.mpls = this.mpls;
    if (this.asnHint !== undefined) r.asnHint = this.asnHint;
    if (this.flags.length > 0) r.flags = this.flags;
    if (this.stats !== undefined) r.stats = this.stats;
    return r;
  }
}

export class HopBuilder {
  sent = 0;
  readonly responders = new Map<string, ResponderBuilder>();
  constructor(readonly ttl: number) {}

  responder(address: string): ResponderBuilder {
    let r = this.responders.get(address);
    if (!r) {
      r = new ResponderBuilder(address);
      this.responders.set(address, r);
    }
    return r;
  }

  build(): Hop {
    const responders = [...this.responders.values()].map((r) => r.build());
    let received = 0;
    for (const r of responders) received += r.received;
    return { ttl: this.ttl, responders, sent: Math.max(this.sent, received), received };
  }
}

export class HopTable {
  private readonly hops = new Map<number, HopBuilder>();

  hop(ttl: number): HopBuilder {
    let h = this.hops.get(ttl);
    if (!h) {
      h = new HopBuilder(ttl);
      this.hops.set(ttl, h);
    }
    return h;
  }

  has(ttl: number): boolean {
    return this.hops.has(ttl);
  }

  get size(): number {
    return this.hops.size;
  }

  maxTtl(): number {
    let m = 0;
    for (const t of this.hops.keys()) if (t > m) m = t;
    return m;
  }

  /** Hops sorted by ttl; ttls in [fillFrom, fillTo] that never appeared become silent hops with `silentSent` probes. */
  build(fillFrom = 0, fillTo = 0, silentSent = 0): Hop[] {
    for (let t = Math.max(1, fillFrom); t <= fillTo; t++) {
      if (!this.hops.has(t)) this.hop(t).sent = silentSent;
    }
    return [...this.hops.values()].sort((a, b) => a.ttl - b.ttl).map((h) => h.build());
  }
}

/** Which probes at each TTL (or mtr position) have had a reply: another reply to one is a duplicate. */
export class AnsweredProbes {
  private readonly byTtl = new Map<number, Set<number>>();

  /** Records a reply to probe `id` at `ttl`; false when that probe had already answered. */
  first(ttl: number, id: number): boolean {
    let seen = this.byTtl.get(ttl);
    if (!seen) this.byTtl.set(ttl, (seen = new Set()));
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  }
}

/** True when the target answered somewhere (late answers count). */
export function targetAnswered(hops: readonly Hop[], target: string): boolean {
  return hops.some((h) => h.responders.some((r) => r.address === target && (r.received > 0 || (r.late ?? 0) > 0)));
}

/** Drops hops after the first one where the target answered (probes past the destination are artifacts). */
export function cutAfterTarget(hops: Hop[], target: string): Hop[] {
  const i = hops.findIndex((h) => h.responders.some((r) => r.address === target && (r.received > 0 || (r.late ?? 0) > 0)));
  return i === -1 ? hops : hops.slice(0, i + 1);
}

const UNREACH = /^!(?:N|H|P|S|F(?:-\d+)?|X|V|C|h|\d+)$/;
/** The hop's responders all carry an unreachable annotation (traceroute then stops). */
export function isUnreachableHop(hop: Hop | undefined): boolean {
  if (!hop || hop.responders.length === 0) return false;
  return hop.responders.every((r) => (r.flags ?? []).some((f) => UNREACH.test(f)));
}
