// The origin AS of an AS path: the AS that originated the prefix, the last hop of the
// path. Rule:
// - the path ends in an AS number (AS_SEQUENCE): that AS, one origin;
// - the path ends in an AS_SET (the prefix is an aggregate, RFC 4271 5.1.6): every member
//   of the set, sorted and deduplicated, since any of them may originate part of it
//   (RIPE RIS and the IRR tools report the set the same way; picking the AS before the
//   set would name the aggregator, which is not an origin); an empty set is skipped;
// - an empty path: no origin here (the route was originated inside the router's own AS,
//   which the RIB does not know); the caller may substitute the local AS.
import type { AsPath } from '../model/route-event.ts';

export function originAsns(path: AsPath): number[] {
  for (let i = path.length - 1; i >= 0; i--) {
    const x = path[i];
    if (typeof x === 'number') return [x];
    if (x.length > 0) return [...new Set(x)].sort((a, b) => a - b);
  }
  return [];
}

/** The union of the origins of several paths (sorted, unique): a prefix seen with different origins is a MOAS. */
export function originsOf(paths: Iterable<AsPath>): number[] {
  const s = new Set<number>();
  for (const p of paths) for (const a of originAsns(p)) s.add(a);
  return [...s].sort((a, b) => a - b);
}
