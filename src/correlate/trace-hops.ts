// A trace's AS per hop, as as-compare.ts reads it: the AS the RIB gave each responder,
// and for a hop without one WHY there is none (silent, private, unannounced, IXP), so an
// AS whose routers stayed silent mid-trace is explained instead of read as a mismatch.
import type { Trace } from '../model/trace.ts';
import { destinationHop } from '../model/trace.ts';
import type { TraceAsHop } from './as-compare.ts';

/** Why an address has no AS: what the prober's AS source answers (probe/annotate.ts AsAnswer, structurally). */
export type AsWhy = (address: string) => { readonly asn: number } | 'private' | 'unannounced' | { readonly ixp: string };

export function traceAsHops(trace: Trace, asOf?: AsWhy): TraceAsHop[] {
  const dest = destinationHop(trace);
  const hops = dest ? trace.hops.filter((h) => h.ttl <= dest.ttl) : trace.hops;
  return hops.map((h): TraceAsHop => {
    const answered = h.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0);
    if (answered.length === 0) return 'silent';
    const asns = [...new Set(answered.map((r) => r.asn).filter((a): a is number => typeof a === 'number'))].sort((a, b) => a - b);
    if (asns.length === 1) return asns[0];
    if (asns.length > 1) return asns;
    const why = asOf?.(answered[0].address);
    if (why === undefined || (typeof why === 'object' && 'asn' in why)) return null;
    return why;
  });
}
