// Causes as the correlator hands them to alerting, built by hand: traces hop by hop,
// RouteChanges with real attributes, verdicts with figures and reasons.
import { parseAddress } from '../../src/model/address.ts';
import type { Cause, CauseKind, TargetVerdict } from '../../src/model/cause.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import type { RouteChange } from '../../src/model/route-change.ts';
import type { AsPath, RouteAttributes } from '../../src/model/route-event.ts';
import type { Hop, Trace } from '../../src/model/trace.ts';
import type { Verdict, VerdictConfidence, VerdictFinding, VerdictKind } from '../../src/model/verdict.ts';

export const T0 = Date.parse('2026-11-22T03:12:03Z');

/** hops: [asn|null, address|null (silent), lossPct, rttMs]. */
export function trace(target: string, start: number, hops: readonly [number | null, string | null, number, number][]): Trace {
  const out: Hop[] = hops.map(([asn, address, loss, rtt], i) => {
    const sent = 10;
    const received = Math.round(sent * (1 - loss / 100));
    return {
      ttl: i + 1,
      sent,
      responders: address === null ? [] : [{ address, rtts: Array.from({ length: received }, () => rtt), received, asn }],
    };
  });
  const last = hops[hops.length - 1];
  return { target, backend: 'mtr', method: 'icmp', start, end: start + 5000, reached: last?.[1] === target, hops: out };
}

export function attrs(asPath: AsPath, nextHop: string, communities: string[] = []): RouteAttributes {
  return { asPath, nextHop: parseAddress(nextHop)!, origin: 'igp', communities, largeCommunities: [] };
}

export function routeChange(prefix: string, before: RouteAttributes | undefined, after: RouteAttributes | undefined, at = T0, cause: RouteChange['cause'] = 'update'): RouteChange {
  return {
    kind: !before ? 'new' : !after ? 'withdraw' : 'path-change',
    cause: after ? 'update' : cause === 'update' ? 'withdraw' : cause,
    source: 'bmp',
    router: '10.77.255.1',
    peer: { address: parseAddress('10.77.12.2')!, asn: 65002 },
    table: 'loc-rib',
    prefix: parsePrefix(prefix)!,
    before,
    after,
    ...(before && after ? { nextHopChanged: true } : {}),
    time: at,
  };
}

export interface VerdictOpts {
  kind: VerdictKind;
  target: string;
  at?: number;
  rttMs?: number | null;
  rttPct?: number | null;
  lossPts?: number | null;
  hops?: number | null;
  confidence?: VerdictConfidence;
  findings?: VerdictFinding[];
  reasons?: string[];
  before?: AsPath;
  after?: AsPath;
  prefix?: string;
  routeChanges?: RouteChange[];
}

export function verdict(o: VerdictOpts): Verdict {
  return {
    kind: o.kind,
    target: o.target,
    at: o.at ?? T0 + 8000,
    deltas: { rttMs: o.rttMs ?? null, rttPct: o.rttPct ?? null, hops: o.hops ?? null, asHops: null, lossPts: o.lossPts ?? null },
    bgp: { ...(o.before ? { before: o.before } : {}), ...(o.after ? { after: o.after } : {}), ...(o.prefix ? { prefix: o.prefix } : {}), peer: { address: parseAddress('10.77.12.2')!, asn: 65002 } },
    trace: { beforeAs: [65001, 65002, 65004], afterAs: [65001, 65003, 65004] },
    reasons: o.reasons ?? [],
    routeChanges: o.routeChanges ?? [],
    confidence: o.confidence ?? 'high',
    findings: o.findings ?? [],
  };
}

export function tv(id: string, address: string, prefix: string | undefined, v: Verdict, before?: Trace, after?: Trace, verdictId?: number): TargetVerdict {
  return { ...(verdictId === undefined ? {} : { id: verdictId }), targetId: id, targetName: id, address, ...(prefix ? { prefix } : {}), verdict: v, ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

export function cause(id: string, kind: CauseKind, verdicts: TargetVerdict[], routeChanges: RouteChange[] = [], at = T0): Cause {
  return { id, kind, at, summary: `${id} summary`, routeChanges, verdicts };
}

export const PATH_FAST: AsPath = [65001, 65002, 65004];
export const PATH_SLOW: AsPath = [65001, 65003, 65004];

/** The lab's move: 10.77.40.0/24 from 65002 to 65003, three targets 42 ms slower. */
export function worseMove(id = 'c-move', targets = ['10.77.40.1', '10.77.40.2', '10.77.40.3'], at = T0): Cause {
  const rc = routeChange('10.77.40.0/24', attrs(PATH_FAST, '10.77.12.2', ['65002:100']), attrs(PATH_SLOW, '10.77.13.2', ['65003:200']), at);
  const verdicts = targets.map((addr, i) => {
    const before = trace(addr, at - 60_000, [
      [65001, '10.77.1.1', 0, 0.4],
      [65002, '10.77.12.2', 0, 12.3],
      [null, null, 100, 0],
      [65004, addr, 0, 20.1 + i],
    ]);
    const after = trace(addr, at + 6000, [
      [65001, '10.77.1.1', 0, 0.4],
      [65003, '10.77.13.2', 0, 40.7],
      [65004, addr, 0, 62.1 + i],
    ]);
    const v = verdict({ kind: 'worse', target: addr, at: at + 8000, rttMs: 42 + i, rttPct: 209, hops: -1, prefix: '10.77.40.0/24', before: PATH_FAST, after: PATH_SLOW, routeChanges: [rc], reasons: [`RTT to ${addr} rose by ${42 + i} ms after the AS path changed`] });
    return tv(`t${i + 1}`, addr, '10.77.40.0/24', v, before, after, 100 + i);
  });
  return cause(id, 'route-change', verdicts, [rc], at);
}

/** One target's verdict of the given kind in its own cause. */
export function single(id: string, kind: VerdictKind, target = 't1', address = '10.77.40.1', extra: Partial<VerdictOpts> = {}, at = T0): Cause {
  const prefix = extra.prefix ?? '10.77.40.0/24';
  const rc = routeChange(prefix, attrs(PATH_FAST, '10.77.12.2'), attrs(PATH_SLOW, '10.77.13.2'), at);
  const v = verdict({ kind, target: address, at: at + 8000, rttMs: kind === 'better' ? -40 : kind === 'same' ? 0.3 : 42, prefix, before: PATH_FAST, after: PATH_SLOW, routeChanges: [rc], ...extra });
  return cause(id, 'route-change', [tv(target, address, prefix, v)], [rc], at);
}
