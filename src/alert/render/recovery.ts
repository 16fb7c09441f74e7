// What a recovery notice says about the path: where the RTT is now, against the
// baseline, and how bad it was while the alert was firing. A 'better' verdict's deltas
// are "current - baseline" (the baseline from before the breakage), so "+4 ms" alone
// reads like a new problem; at 3 a.m. the reader wants "back to baseline, RTT 10.4 ms
// (was +56 ms)". The figures come from the cause's traces: `before` is the last trace
// before the recovering change (the bad path), `after` the one since (the path now).
import type { TargetVerdict } from '../../model/cause.ts';
import { type Trace, destinationHop, hopRtt } from '../../model/trace.ts';
import type { TraceAsSequence, VerdictKind } from '../../model/verdict.ts';

/** Within this much of the baseline (ms, or this fraction of it) the path is "back to baseline". */
const NEAR_MS = 5;
const NEAR_FRACTION = 0.1;

/** The destination's RTT in a trace (ms), if it answered. */
export function destinationRtt(t: Trace | undefined): number | undefined {
  const hop = t && destinationHop(t);
  return hop && hopRtt(hop);
}

/** A trace's AS sequence up to the destination: consecutive repeats collapsed, unknown hops left out. */
export function traceAsSequence(t: Trace): TraceAsSequence {
  const dest = destinationHop(t);
  const out: (number | number[])[] = [];
  let last = '';
  for (const hop of t.hops) {
    if (dest && hop.ttl > dest.ttl) break;
    const asns = [...new Set(hop.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0).map((r) => r.asn).filter((a): a is number => typeof a === 'number'))].sort((a, b) => a - b);
    if (asns.length === 0) continue;
    const key = asns.join(' ');
    if (key === last) continue;
    last = key;
    out.push(asns.length === 1 ? asns[0] : asns);
  }
  return out;
}

function ms(x: number, digits: number): string {
  return `${x.toFixed(digits)} ms`;
}

function signedMs(x: number): string {
  return `${x < 0 ? '-' : '+'}${Math.abs(x).toFixed(0)} ms`;
}

/**
 * "back to baseline, RTT 10.4 ms (was +56 ms)"; "RTT 30.0 ms, +20 ms over baseline (was
 * +56 ms)"; "back to baseline (was unreachable)"; undefined when nothing is known.
 * `was` is the verdict the alert fired with.
 */
export function recoveryText(tv: TargetVerdict, was: VerdictKind | undefined): string | undefined {
  const delta = tv.verdict.deltas.rttMs;
  const now = destinationRtt(tv.after);
  const bad = destinationRtt(tv.before);
  const baseline = now !== undefined && delta !== null ? now - delta : undefined;
  let wasText: string | undefined;
  if (was === 'unreachable' || (tv.before && !tv.before.reached && bad === undefined)) wasText = 'was unreachable';
  else if (bad !== undefined && baseline !== undefined) wasText = `was ${signedMs(bad - baseline)}`;
  else if (bad !== undefined) wasText = `was ${ms(bad, 1)}`;

  let where: string | undefined;
  if (delta !== null) {
    const near = Math.abs(delta) < NEAR_MS || (baseline !== undefined && baseline > 0 && Math.abs(delta) <= NEAR_FRACTION * baseline);
    const nowText = now === undefined ? undefined : `RTT ${ms(now, 1)}`;
    if (near) where = nowText ? `back to baseline, ${nowText}` : 'back to baseline';
    else {
      const off = `${signedMs(delta)} ${delta > 0 ? 'over' : 'under'} baseline`;
      where = nowText ? `${nowText}, ${off}` : `RTT ${off}`;
    }
  } else if (now !== undefined) where = `RTT ${ms(now, 1)}`;
  if (where === undefined) return was === 'unreachable' ? 'reachable again' : wasText;
  return wasText ? `${where} (${wasText})` : where;
}
