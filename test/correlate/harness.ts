// A correlator on a real Rib (fed through the real RibIngest, so End-of-RIB and peer-down
// behave as in the service) and a real Prober (scheduler, pathdiff) whose trace backend is
// scripted per target: no packets. Time is a ManualClock shared by scheduler and correlator.
//
// The network, in the lab's shape: router r1 (BMP, post-policy tables) with two peers,
//   A 10.0.0.2 AS65002: 203.0.113.0/24 and 198.51.100.0/24 via 65002 65004
//   B 10.0.0.3 AS65003: 203.0.113.0/24 via 65003 65003 65003 65003 65004 (the backup)
// Middle hops answer from 10.77.x (private, no AS), as the lab's routers do.
import type { Cause } from '../../src/model/cause.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import type { Hop, Trace } from '../../src/model/trace.ts';
import { decodeMtrJson } from '../../src/codec/trace/mtr.ts';
import { Correlator, type CorrelatorOptions } from '../../src/correlate/correlator.ts';
import type { ProbeLink } from '../../src/correlate/links.ts';
import { RibIngest } from '../../src/ingest/ingest.ts';
import { MonitorSet } from '../../src/ingest/monitor.ts';
import { createLogger } from '../../src/log.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { asSource } from '../../src/probe/annotate.ts';
import type { TraceBackend, TraceRequest } from '../../src/probe/backends/types.ts';
import { ManualClock } from '../../src/probe/clock.ts';
import { ProbeError } from '../../src/probe/runner.ts';
import { Prober } from '../../src/probe/tracking.ts';
import { Rib } from '../../src/rib/rib.ts';
import { announce, attrs, peer, pfx, withdraw } from '../rib/helpers.ts';

export const A = peer('10.0.0.2', 65002, { bgpId: peer('10.0.0.2').address });
export const B = peer('10.0.0.3', 65003, { bgpId: peer('10.0.0.3').address });
export const FAST = ['10.77.1.1', '10.77.12.2'];
export const SLOW = ['10.77.1.1', '10.77.13.3', '10.77.34.4'];

export interface Script {
  /** Middle hops (the target answers after them when reached). */
  path: string[];
  rttMs: number;
  /** Probes (of 10) the destination leaves unanswered. */
  lost?: number;
  reached?: boolean;
  /** Silent middle hops (TTL indexes from 1). */
  silent?: number[];
  fail?: boolean;
  /** Never answers until aborted. */
  hang?: boolean;
  /** A real `mtr --json` output (a lab sample): returned as decoded, at the clock's time. */
  mtrJson?: string;
  /** The trace takes this long on the clock (the path is the one at its start), as mtr's seconds do. */
  durationMs?: number;
}

export class ScriptBackend implements TraceBackend {
  readonly name = 'mtr' as const;
  readonly requests: TraceRequest[] = [];
  readonly scripts = new Map<string, Script>();
  constructor(private readonly clock: ManualClock) {}

  estimatePackets(): number {
    return 10;
  }

  async trace(req: TraceRequest): Promise<Trace> {
    this.requests.push(req);
    const s = this.scripts.get(req.target) ?? { path: FAST, rttMs: 20 };
    if (s.fail) throw new ProbeError('backend-failed', 'mtr exited with status 1');
    if (s.hang) {
      await new Promise((_, reject) => req.signal?.addEventListener('abort', () => reject(new ProbeError('timeout', 'aborted'))));
    }
    const start = this.clock.now();
    if (s.durationMs !== undefined) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, s.durationMs!));
    if (s.mtrJson !== undefined) return decodeMtrJson(s.mtrJson, { start, end: start + 2000, target: req.target });
    const hop = (ttl: number, address: string, received: number, rtt: number): Hop => ({
      ttl,
      sent: 10,
      received,
      responders: received === 0 ? [] : [{ address, rtts: Array.from({ length: received }, (_, i) => rtt + (i % 3) * 0.1), received }],
    });
    const hops = s.path.map((a, i) => hop(i + 1, a, s.silent?.includes(i + 1) ? 0 : 10, 1 + i));
    if (s.reached !== false) hops.push(hop(hops.length + 1, req.target, 10 - (s.lost ?? 0), s.rttMs));
    return { target: req.target, backend: 'mtr', method: 'icmp', start, end: start + 2000, reached: s.reached !== false, hops };
  }
}

export const TARGETS = [
  { name: 'web', address: '203.0.113.10' },
  { name: 'mail', address: '203.0.113.20' },
  { name: 'dns', address: '198.51.100.10' },
];

export const INTERVAL = 60_000;
export const SETTLE = 5_000;

export interface Harness {
  readonly clock: ManualClock;
  readonly rib: Rib;
  readonly ingest: RibIngest;
  readonly prober: Prober;
  readonly backend: ScriptBackend;
  readonly correlator: Correlator;
  readonly causes: Cause[];
  readonly published: { type: string; data: unknown }[];
  apply(...events: FeedEvent[]): void;
  /** Advances the clock, letting traces and timers run. */
  advance(ms: number): Promise<void>;
  /** Scheduled traces until every target has a baseline (3 traces each). */
  learn(): Promise<void>;
  stop(): Promise<void>;
}

type After = { after(fn: () => void | Promise<void>): void };

export const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);

export function at(ms = 0, clock?: ManualClock): { time: number } {
  return { time: (clock?.now() ?? T0) + ms };
}

export async function harness(t: After, opts: Partial<CorrelatorOptions> = {}, targets = TARGETS, link: Pick<ProbeLink, 'lastTrace'> = {}): Promise<Harness> {
  const clock = new ManualClock(T0);
  const rib = new Rib();
  const backend = new ScriptBackend(clock);
  const causes: Cause[] = [];
  const published: { type: string; data: unknown }[] = [];
  const logger = createLogger({ level: 'silent' });
  // The ingest and the prober are built before the correlator they call.
  const late: { correlator?: Correlator } = {};
  const ingest = new RibIngest({ rib, monitor: new MonitorSet([], []), onRouteChange: (c, s) => late.correlator!.onRouteChange(c, s) });
  const as = asSource((a) => {
    const r = rib.lookup(a);
    return r && { prefix: formatPrefix(r.prefix), origins: r.origins };
  });
  const prober = new Prober({
    scheduler: {
      backends: { mtr: backend },
      allowed: [pfx('203.0.113.0/24'), pfx('198.51.100.0/24')],
      defaultInterval: INTERVAL,
      defaultBackend: 'mtr',
      clock,
      random: () => 0.5,
      triggerCooldownMs: 60_000,
    },
    as,
    store: { write: async () => {}, states: async () => [], targets: async () => [], putTarget: async () => {}, deleteTarget: async () => true },
    configTargets: targets,
    logger,
    now: () => clock.now(),
    onTrace: (trace, info) => late.correlator!.onTrace(trace, info),
  });
  const correlator = new Correlator({
    rib,
    probe: {
      targets: () => prober.list(),
      requestTrace: (id, reason, o) => prober.requestTrace(id, reason, o),
      baseline: (id) => prober.baseline(id),
      summarize: (trace) => prober.summarize(trace),
      ...link,
    },
    settleMs: SETTLE,
    traceTimeoutMs: 60_000,
    clock,
    asOf: (a) => as.asOf(a),
    onCause: (c) => causes.push(c),
    publish: (type, data) => published.push({ type, data }),
    logger,
    ...opts,
  });
  late.correlator = correlator;
  const h: Harness = {
    clock,
    rib,
    ingest,
    prober,
    backend,
    correlator,
    causes,
    published,
    apply: (...events) => ingest.apply(events),
    advance: async (ms) => {
      await clock.advance(ms);
      await correlator.settled();
    },
    learn: async () => {
      for (let i = 0; i < 4; i++) await clock.advance(INTERVAL);
    },
    stop: async () => {
      await correlator.stop();
      await prober.stop();
    },
  };
  // The initial table transfer: peers up, routes, End-of-RIB (none of it is news).
  const up = (p: typeof A): FeedEvent => ({ kind: 'peer-up', source: 'bmp', router: 'r1', peer: p, table: 'adj-rib-in-post', time: T0 - 60_000 });
  const eor = (p: typeof A): FeedEvent => ({ kind: 'end-of-rib', source: 'bmp', router: 'r1', peer: p, table: 'adj-rib-in-post', afi: 1, safi: 1, time: T0 - 50_000 });
  await prober.start();
  await correlator.start();
  t.after(() => h.stop());
  h.apply(
    up(A),
    up(B),
    announce(A, '203.0.113.0/24', attrs([65002, 65004]), at(-55_000)),
    announce(A, '198.51.100.0/24', attrs([65002, 65004]), at(-55_000)),
    announce(B, '203.0.113.0/24', attrs([65003, 65003, 65003, 65003, 65004]), at(-55_000)),
    eor(A),
    eor(B),
  );
  await clock.advance(0);
  return h;
}

export { announce, attrs, withdraw, peer };
