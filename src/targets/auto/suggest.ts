// One ranking from every configured source: the CLI (`targets suggest`), the API and the
// AutoTargets component all call rankAll() with what they have read.
import type { Config } from '../../config/schema.ts';
import { formatPrefix } from '../../model/prefix.ts';
import type { Hitlist } from './hitlist.ts';
import { type AsnRule, type ChurnInput, type RoutedPrefix, asnCandidates, churnCandidates, merge, staticCandidates, trafficCandidates } from './rank.ts';
import type { RoutingView } from './routing.ts';
import type { ParsedTraffic } from './traffic-format.ts';
import type { AutoSource, Candidate, Suggestion } from './types.ts';

export type AutoConfig = Config['auto_targets'];

export interface RankInputs {
  readonly routing: RoutingView;
  /** routing.prefixes(), already gathered (the service gathers them without blocking). */
  readonly routed?: readonly RoutedPrefix[];
  /** Per-prefix churn over the window; undefined: the churn source is off or has no data. */
  readonly churn?: readonly ChurnInput[];
  /** How the churn window reads in a reason: "24h". */
  readonly churnWindow?: string;
  readonly traffic?: ParsedTraffic;
  readonly asnRules: readonly AsnRule[];
  readonly statics: readonly string[];
  /** Only these sources (the CLI's --from). */
  readonly only?: AutoSource;
  readonly limit: number;
  readonly maxPerOrigin: number;
  readonly churnTop: number;
  readonly trafficTop: number;
  readonly exclude?: (prefix: string) => string | undefined;
}

export interface Ranking {
  readonly suggestions: Suggestion[];
  readonly skipped: { readonly prefix: string; readonly why: string }[];
  /** Traffic rows no route covered. */
  readonly unrouted: number;
}

export function asnRulesOf(c: AutoConfig): AsnRule[] {
  return c.asn.map((a) => ({ asn: a.asn, match: a.match, top: a.top, ...(a.role !== undefined ? { role: a.role } : {}) }));
}

export function staticsOf(c: AutoConfig): string[] {
  return c.static.map(formatPrefix);
}

export function rankAll(i: RankInputs): Ranking {
  const want = (s: AutoSource) => i.only === undefined || i.only === s;
  const lists: Candidate[][] = [];
  if (want('static') && i.statics.length > 0) lists.push(staticCandidates(i.statics, (p) => i.routing.origins(p)));
  if (want('churn') && i.churn && i.churnTop > 0) {
    lists.push(churnCandidates(i.churn, { top: i.churnTop, window: i.churnWindow ?? 'the window', origins: (p) => i.routing.origins(p) }));
  }
  if (want('asn') && i.asnRules.length > 0) {
    // One pass over the RIB per rule: rules are few, prefixes many.
    const all = i.routed ?? [...i.routing.prefixes()];
    for (const r of i.asnRules) lists.push(asnCandidates(all, r));
  }
  let unrouted = 0;
  if (want('traffic') && i.traffic && i.trafficTop > 0) {
    const t = trafficCandidates(i.traffic.rows, { top: i.trafficTop, metric: i.traffic.metric, covering: (k) => i.routing.covering(k) });
    unrouted = t.unrouted;
    lists.push(t.candidates);
  }
  const m = merge(lists, { limit: i.limit, maxPerOrigin: i.maxPerOrigin, exclude: i.exclude });
  return { suggestions: m.suggestions, skipped: m.skipped, unrouted };
}

/** The address shown for a suggestion that has none yet: the hitlist's, else none. */
export function withHitlistAddress(s: Suggestion, hitlist: Hitlist | undefined, ok?: Parameters<Hitlist['find']>[1]): Suggestion {
  if (s.address !== undefined || !hitlist) return s;
  const a = hitlist.find(s.prefix, ok);
  return a === undefined ? s : { ...s, address: a };
}
