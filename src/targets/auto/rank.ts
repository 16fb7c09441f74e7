// Pure ranking: each source turns its input into ranked Candidates, and merge() makes
// one list under the caps. No I/O, no clock: the CLI, the API and the AutoTargets
// component all rank the same way, and tests check the rules on plain values.
//
// Merging: static prefixes first (the operator listed them), then the other lists take
// turns (churn #1, each ASN entry's #1, traffic #1, churn #2, ...), so no one source
// crowds out the others whose scores are in other units. A prefix several sources rank
// keeps its first place and collects every reason. Caps: `limit` prefixes in all, and
// at most `maxPerOrigin` per origin AS (a MOAS prefix counts against each origin).
import type { AsPath } from '../../model/route-event.ts';
import type { Candidate, Suggestion } from './types.ts';

export interface ChurnInput {
  readonly prefix: string;
  readonly changes: number;
}

export function churnCandidates(rows: readonly ChurnInput[], o: { top: number; window: string; origins: (prefix: string) => readonly number[] }): Candidate[] {
  const sorted = rows.filter((r) => r.changes > 0).sort((a, b) => b.changes - a.changes || cmpPrefix(a.prefix, b.prefix));
  return sorted.slice(0, o.top).map((r, i) => ({
    prefix: r.prefix,
    source: 'churn',
    score: r.changes,
    rank: i + 1,
    reason: `top ${i + 1} by churn: ${r.changes} update${r.changes === 1 ? '' : 's'} in ${o.window}`,
    origins: o.origins(r.prefix),
  }));
}

export interface RoutedPrefix {
  readonly prefix: string;
  /** One AS path per route (peer) carrying it. */
  readonly paths: readonly AsPath[];
}

export interface AsnRule {
  readonly asn: number;
  readonly role?: string;
  readonly match: 'origin' | 'upstream';
  readonly top: number;
}

/** The origin ASes of a path: the last element, or every member of a final AS_SET. */
export function pathOrigins(path: AsPath): number[] {
  for (let i = path.length - 1; i >= 0; i--) {
    const x = path[i];
    if (typeof x === 'number') return [x];
    if (x.length > 0) return [...new Set(x)].sort((a, b) => a - b);
  }
  return [];
}

/** True when `asn` is on the path and is not its origin (prepends of the origin are still the origin). */
function through(path: AsPath, asn: number): boolean {
  return !pathOrigins(path).includes(asn) && path.some((x) => x === asn || (typeof x !== 'number' && x.includes(asn)));
}

export function asnCandidates(prefixes: Iterable<RoutedPrefix>, rule: AsnRule): Candidate[] {
  const hits: { prefix: string; peers: number; origins: number[] }[] = [];
  for (const p of prefixes) {
    let peers = 0;
    const origins = new Set<number>();
    for (const path of p.paths) {
      const o = pathOrigins(path);
      for (const a of o) origins.add(a);
      if (rule.match === 'origin' ? o.includes(rule.asn) : through(path, rule.asn)) peers++;
    }
    if (peers > 0) hits.push({ prefix: p.prefix, peers, origins: [...origins].sort((a, b) => a - b) });
  }
  // Most widely seen first; then the shorter prefix (more addresses behind it).
  hits.sort((a, b) => b.peers - a.peers || prefixLen(a.prefix) - prefixLen(b.prefix) || cmpPrefix(a.prefix, b.prefix));
  const role = rule.role ? ` (${rule.role})` : '';
  const what = rule.match === 'origin' ? `originated by AS${rule.asn}${role}` : `reached through AS${rule.asn}${role}`;
  return hits.slice(0, rule.top).map((h, i) => ({ prefix: h.prefix, source: 'asn', score: h.peers, rank: i + 1, reason: what, origins: h.origins }));
}

export interface TrafficRow {
  /** An address or a prefix, as the export gave it. */
  readonly key: string;
  readonly value: number;
}

export interface TrafficRanking {
  readonly candidates: Candidate[];
  /** Rows no route covers (their traffic is left out). */
  readonly unrouted: number;
}

export function trafficCandidates(
  rows: readonly TrafficRow[],
  o: { top: number; metric: 'bytes' | 'packets'; covering: (key: string) => { prefix: string; origins: readonly number[] } | undefined },
): TrafficRanking {
  const sums = new Map<string, { value: number; origins: readonly number[] }>();
  let unrouted = 0;
  for (const r of rows) {
    const c = o.covering(r.key);
    if (!c) {
      unrouted++;
      continue;
    }
    const s = sums.get(c.prefix);
    if (s) s.value += r.value;
    else sums.set(c.prefix, { value: r.value, origins: c.origins });
  }
  const sorted = [...sums.entries()].sort((a, b) => b[1].value - a[1].value || cmpPrefix(a[0], b[0]));
  const candidates = sorted.slice(0, o.top).map(([prefix, s], i): Candidate => ({
    prefix,
    source: 'traffic',
    score: s.value,
    rank: i + 1,
    reason: `traffic top talker: ${o.metric === 'bytes' ? formatBytes(s.value) : `${formatCount(s.value)} packets`}`,
    origins: s.origins,
  }));
  return { candidates, unrouted };
}

export function staticCandidates(prefixes: readonly string[], origins: (prefix: string) => readonly number[]): Candidate[] {
  return prefixes.map((prefix, i) => ({ prefix, source: 'static', score: 0, rank: i + 1, reason: 'static list (auto_targets.static)', origins: origins(prefix) }));
}

export interface MergeOptions {
  readonly limit: number;
  readonly maxPerOrigin: number;
  /** Why a prefix may not be suggested (e.g. a configured target covers it), or undefined. */
  readonly exclude?: (prefix: string) => string | undefined;
}

export interface MergeResult {
  readonly suggestions: Suggestion[];
  /** Prefixes left out, with the rule that left them out. */
  readonly skipped: { readonly prefix: string; readonly why: string }[];
}

/** Merges per-source lists (static first, then turns) under the caps. */
export function merge(lists: readonly (readonly Candidate[])[], o: MergeOptions): MergeResult {
  const statics = lists.filter((l) => l[0]?.source === 'static');
  const others = lists.filter((l) => l.length > 0 && l[0].source !== 'static');
  const order: Candidate[] = statics.flat();
  const longest = Math.max(0, ...others.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of others) if (i < l.length) order.push(l[i]);

  const byPrefix = new Map<string, { s: { -readonly [K in keyof Suggestion]: Suggestion[K] }; reasons: string[] }>();
  const perOrigin = new Map<number, number>();
  const skipped: { prefix: string; why: string }[] = [];
  const skippedSet = new Set<string>();
  const out: Suggestion[] = [];
  for (const c of order) {
    const have = byPrefix.get(c.prefix);
    if (have) {
      if (!have.reasons.includes(c.reason)) have.reasons.push(c.reason);
      continue;
    }
    if (skippedSet.has(c.prefix)) continue;
    const skip = (why: string) => {
      skippedSet.add(c.prefix);
      skipped.push({ prefix: c.prefix, why });
    };
    const excluded = o.exclude?.(c.prefix);
    if (excluded !== undefined) {
      skip(excluded);
      continue;
    }
    if (out.length >= o.limit) {
      skip(`over the cap of ${o.limit} targets`);
      continue;
    }
    const full = c.origins.find((a) => (perOrigin.get(a) ?? 0) >= o.maxPerOrigin);
    if (full !== undefined) {
      skip(`AS${full} has ${o.maxPerOrigin} auto targets already (max_per_origin)`);
      continue;
    }
    for (const a of c.origins) perOrigin.set(a, (perOrigin.get(a) ?? 0) + 1);
    const entry = { s: { prefix: c.prefix, source: c.source, score: c.score, reason: c.reason, origins: c.origins }, reasons: [c.reason] };
    byPrefix.set(c.prefix, entry);
    out.push(entry.s);
  }
  for (const e of byPrefix.values()) e.s.reason = e.reasons.join('; ');
  return { suggestions: out, skipped };
}

function prefixLen(p: string): number {
  return Number(p.slice(p.indexOf('/') + 1));
}

/** IPv4 before IPv6, then by text: stable, readable order for ties. */
function cmpPrefix(a: string, b: string): number {
  const fa = a.includes(':') ? 6 : 4;
  const fb = b.includes(':') ? 6 : 4;
  return fa - fb || (a < b ? -1 : a > b ? 1 : 0);
}

/** 1234567 -> "1.2 MB" (decimal units, as flow tools print them). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** 3400000 -> "3.4 M". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

/** 86_400_000 -> "24h", 900_000 -> "15m". */
export function formatWindow(ms: number): string {
  if (ms % 86_400_000 === 0 && ms >= 2 * 86_400_000) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
