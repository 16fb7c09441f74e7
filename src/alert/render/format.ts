// Small formatters the alert renderers share: times, deltas, AS paths, BGP changes and
// traces hop by hop, in the words and figures an operator uses (mtr's, bgpd's).
import { formatBgpPath } from '../../model/bgp-path.ts';
import { formatAddress } from '../../model/address.ts';
import { formatPrefix } from '../../model/prefix.ts';
import type { RouteChange } from '../../model/route-change.ts';
import type { AsPath, PeerRef } from '../../model/route-event.ts';
import { type Hop, type Trace, hopLoss, hopRtt, median } from '../../model/trace.ts';
import type { TraceAsSequence, VerdictDeltas } from '../../model/verdict.ts';

/** "2026-11-22 04:12:03 UTC". */
export function when(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return 'an unknown time';
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** "35 min", "2 h 5 min", "40 s". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

function signed(x: number, digits: number): string {
  const t = Math.abs(x).toFixed(digits);
  return `${x < 0 ? '-' : '+'}${t}`;
}

/** "+42 ms" for a subject; undefined when there is no RTT figure. */
export function rttShort(d: VerdictDeltas): string | undefined {
  return d.rttMs === null ? undefined : `${signed(d.rttMs, 0)} ms`;
}

/** Every figure that moved: "RTT +42.0 ms (+35%), loss +5.0 points, +2 hops, +1 AS hop". */
export function deltasText(d: VerdictDeltas): string | undefined {
  const parts: string[] = [];
  if (d.rttMs !== null && Math.abs(d.rttMs) >= 0.05) parts.push(`RTT ${signed(d.rttMs, 1)} ms${d.rttPct === null ? '' : ` (${signed(d.rttPct, 0)}%)`}`);
  if (d.lossPts !== null && Math.abs(d.lossPts) >= 0.05) parts.push(`loss ${signed(d.lossPts, 1)} points`);
  if (d.hops !== null && d.hops !== 0) parts.push(`${signed(d.hops, 0)} hop${Math.abs(d.hops) === 1 ? '' : 's'}`);
  if (d.asHops !== null && d.asHops !== 0) parts.push(`${signed(d.asHops, 0)} AS hop${Math.abs(d.asHops) === 1 ? '' : 's'}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export function asPathText(p: AsPath | undefined): string {
  return p === undefined ? 'none' : formatBgpPath(p);
}

export function traceAsText(s: TraceAsSequence): string {
  return s.length === 0 ? 'unknown' : s.map((x) => (typeof x === 'number' ? String(x) : `{${x.join(' ')}}`)).join(' ');
}

export function peerText(p: PeerRef): string {
  return `${formatAddress(p.address)} AS${p.asn}`;
}

/** What a RouteChange did, said plainly. */
export function changeKindText(c: RouteChange): string {
  if (c.cause === 'peer-down') return `the BGP session with peer ${peerText(c.peer)} went down${c.reason ? ` (${c.reason})` : ''}: its routes were dropped`;
  if (c.cause === 'router-down') return `the feed lost router ${c.router}${c.reason ? ` (${c.reason})` : ''}: its routes were dropped`;
  switch (c.kind) {
    case 'withdraw':
      return `withdrawn by peer ${peerText(c.peer)}: no route left from that peer`;
    case 'new':
      return 'a new route was announced';
    case 'path-change':
      return `the AS path changed${c.nextHopChanged ? ' (and the next hop)' : ''}`;
    case 'next-hop-change':
      return 'the next hop changed (same AS path)';
    default:
      return 'an attribute changed (same AS path and next hop)';
  }
}

/** The lines describing one RouteChange, most important first. */
export function routeChangeLines(c: RouteChange): string[] {
  const lines = [
    `Prefix ${formatPrefix(c.prefix)}: ${changeKindText(c)}`,
    `Router ${c.router}, peer ${peerText(c.peer)}, at ${when(c.time)}`,
    `AS path before: ${asPathText(c.before?.asPath)}`,
    `AS path after:  ${c.after ? asPathText(c.after.asPath) : 'none (no route from this peer)'}`,
  ];
  const nhB = c.before?.nextHop ? formatAddress(c.before.nextHop) : undefined;
  const nhA = c.after?.nextHop ? formatAddress(c.after.nextHop) : undefined;
  if (nhB !== nhA && (nhB || nhA)) lines.push(`Next hop: ${nhB ?? 'none'} -> ${nhA ?? 'none'}`);
  const comm = (a: typeof c.before) => (a ? [...a.communities, ...a.largeCommunities].join(' ') || 'none' : 'none');
  if (c.before || c.after) {
    const b = comm(c.before);
    const a = comm(c.after);
    lines.push(b === a ? `Communities: ${a}` : `Communities before: ${b}; after: ${a}`);
  }
  return lines;
}

function rttText(v: number | undefined): string {
  return v === undefined ? '-' : v.toFixed(1);
}

/**
 * One line per responder, as the seed's example: "2. AS6939 184.105.81.77 0.0% 85.9"
 * (TTL, origin AS or AS??? when unknown, address, loss at the hop, RTT in ms: the median
 * of the samples, or mtr's average). A hop nobody answered is "3. ???".
 */
export function hopLines(hop: Hop): string[] {
  const answered = hop.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0);
  if (answered.length === 0) return [`${hop.ttl}. ???`];
  const loss = hopLoss(hop);
  const lossText = loss === undefined ? '-' : `${(loss * 100).toFixed(1)}%`;
  return answered.map((r, i) => {
    const as = typeof r.asn === 'number' ? `AS${r.asn}` : 'AS???';
    const rtt = median(r.rtts) ?? (r.stats ? r.stats.avg : undefined);
    const lead = i === 0 ? `${hop.ttl}.` : `${' '.repeat(String(hop.ttl).length)} `;
    return `${lead} ${as} ${r.address || '???'} ${lossText} ${rttText(answered.length === 1 ? (rtt ?? hopRtt(hop)) : rtt)}`;
  });
}

export function traceLines(t: Trace): string[] {
  const lines = t.hops.flatMap(hopLines);
  if (!t.reached) lines.push(`(the destination ${t.target} did not answer${t.stopReason ? `: ${t.stopReason}` : ''})`);
  return lines;
}

export function traceTitle(label: string, t: Trace): string {
  return `${label}: ${when(t.start)}, ${t.backend}${t.method !== 'unknown' ? ` ${t.method}` : ''}`;
}
