// Best path for routers that do not export their Loc-RIB (RFC 9069): a documented
// approximation of the BGP decision process (RFC 4271 9.1.2.2, RFC 4456 9) over the
// router's post-policy Adj-RIB-In. Candidates are eliminated step by step, as the RFC
// does it (not by a pairwise comparator, which MED would make non-transitive):
//   1. highest LOCAL_PREF (absent: 100, the usual default);
//   2. shortest AS path (an AS_SET counts as one);
//   3. lowest ORIGIN (igp < egp < incomplete; absent counts as incomplete);
//   4. lowest MED among routes from the same neighbour AS (first AS of the path); absent
//      MED is 0 (RFC 4271 9.1.2.2 c); routes from different neighbour ASes are not compared;
//   5. eBGP over iBGP, where the router's own AS on the session is known (a peer with
//      that AS is iBGP); a route whose session's local AS is unknown is not eliminated;
//   -  (lowest IGP cost to the next hop: unknown to us, skipped);
//   6. lowest BGP identifier of the advertiser (ORIGINATOR_ID if present, else the peer's
//      BGP id, else its address);
//   7. shortest CLUSTER_LIST;
//   8. lowest peer address; 9. lowest ADD-PATH path id (so the choice is deterministic).
// Router-specific knobs (always-compare-med, multipath, weight, route age) are not modelled.
import { type Address, compareBytes } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';
import type { PeerRef, RouteAttributes } from '../model/route-event.ts';
import type { OurRoute, Rib } from './rib.ts';
import { peerKey } from './tables.ts';

export interface Candidate {
  readonly peer: PeerRef;
  readonly attrs: RouteAttributes;
  readonly pathId?: number;
}

/** AS path length for route selection: each AS_SEQUENCE member counts 1, each AS_SET 1. */
export function asPathLength(attrs: RouteAttributes): number {
  return attrs.asPath.length;
}

const ORIGIN_RANK = { igp: 0, egp: 1, incomplete: 2 } as const;

function keepBest<T>(xs: T[], score: (x: T) => number): T[] {
  let best = Number.POSITIVE_INFINITY;
  for (const x of xs) best = Math.min(best, score(x));
  return xs.filter((x) => score(x) === best);
}

function keepLowestBytes<T>(xs: T[], key: (x: T) => Uint8Array): T[] {
  let best = key(xs[0]);
  for (const x of xs) if (compareBytes(key(x), best) < 0) best = key(x);
  return xs.filter((x) => compareBytes(key(x), best) === 0);
}

function neighbourAs(c: Candidate): number {
  const first = c.attrs.asPath[0];
  return typeof first === 'number' ? first : -1;
}

function advertiserId(c: Candidate): Address {
  return c.attrs.originatorId ?? c.peer.bgpId ?? c.peer.address;
}

/** iBGP (true), eBGP (false) or unknown (undefined), given the local AS of the session. */
function isIbgp<T extends Candidate>(x: T, localAsn: number | ((c: T) => number | undefined) | undefined): boolean | undefined {
  const local = typeof localAsn === 'function' ? localAsn(x) : localAsn;
  return local === undefined ? undefined : x.peer.asn === local;
}

/**
 * The best of `candidates` by the steps above; undefined when there are none. `localAsn`
 * is the router's own AS, one for all candidates or per candidate (its peer session's).
 */
export function bestPath<T extends Candidate>(candidates: readonly T[], localAsn?: number | ((c: T) => number | undefined)): T | undefined {
  if (candidates.length <= 1) return candidates[0];
  let c = keepBest([...candidates], (x) => -(x.attrs.localPref ?? 100));
  c = keepBest(c, (x) => asPathLength(x.attrs));
  c = keepBest(c, (x) => (x.attrs.origin === undefined ? 2 : ORIGIN_RANK[x.attrs.origin]));
  c = c.filter((x) => !c.some((y) => neighbourAs(y) === neighbourAs(x) && (y.attrs.med ?? 0) < (x.attrs.med ?? 0)));
  if (localAsn !== undefined && c.some((x) => isIbgp(x, localAsn) === false)) c = c.filter((x) => isIbgp(x, localAsn) !== true);
  c = keepLowestBytes(c, (x) => advertiserId(x).bytes);
  c = keepBest(c, (x) => x.attrs.clusterList?.length ?? 0);
  c = keepLowestBytes(c, (x) => x.peer.address.bytes);
  c = keepBest(c, (x) => x.pathId ?? 0);
  return c[0];
}

/**
 * "Our route" towards `target` on `router`: the longest prefix covering it for which the
 * router has a route, taken from its Loc-RIB when the router exports one (then only the
 * Loc-RIB counts: a prefix missing there is not routed), else the best path over its
 * post-policy Adj-RIB-In, else over its pre-policy Adj-RIB-In (where policy-set
 * local-pref is not visible; `from` says which).
 */
export function ourRoute(rib: Rib, target: Prefix | Address, router: string, source?: string): OurRoute | undefined {
  const r = rib.routerState(router, source);
  if (r === undefined) return undefined;
  const tables = new Set(r.tables.filter((t) => t.state === 'up').map((t) => t.table));
  const order = tables.has('loc-rib')
    ? (['loc-rib'] as const)
    : tables.has('adj-rib-in-post')
      ? (['adj-rib-in-post'] as const)
      : (['adj-rib-in-pre'] as const);
  const from = order[0];
  for (const { prefix, routes } of rib.coveringRoutes(target)) {
    const mine = routes.filter((x) => x.router === r.router && x.source === r.source && x.table === from);
    const best = bestPath(mine, (x) => r.localAsns.get(peerKey(x.peer)));
    if (best !== undefined) return { prefix, route: best, from };
  }
  return undefined;
}
