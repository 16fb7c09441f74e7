// Latency summaries of traces, for the console's SmokePing-style graph and the overview:
//   GET /api/targets/:id/latency?from&to&limit&order  one point per trace, oldest first
//   GET /api/targets/:id/latency?from&to&points=N     at most N points spread over the window
//   GET /api/latency[?recent=3h]                      every target's latest trace, summarised
//                                                     (and with recent, median and loss of at most
//                                                     SPARK_POINTS traces of that time)
// A point is the destination hop of one trace: median RTT, the spread of its samples
// (min, p10, p25, p75, p90, max: the "smoke"), loss, hop count and the trace's AS
// sequence. Full traces stay at /api/targets/:id/traces; this is what a graph of a day
// of traces needs without shipping every hop of every trace to the browser.
// mtr --json has no samples, only summary statistics: then min/max are its best/worst,
// the p25..p75 band is avg ± stdev (clipped to best..worst) and p10/p90 are null.
import { type FastifyPluginAsyncTypebox, type Static, Type } from '@fastify/type-provider-typebox';
import { type Trace, hopReceived } from '../model/trace.ts';
import { describe } from '../config/validate.ts';
import { parseDuration } from '../config/values.ts';
import { ApiError } from './errors.ts';
import { timeParam } from './route-json.ts';

export interface LatencyTarget {
  readonly id: string;
  readonly interval: number;
  readonly lastRun?: number;
}

export interface LatencySource {
  list(): readonly LatencyTarget[];
  get(id: string): LatencyTarget | undefined;
  /** Stored traces of a target, oldest first or with order 'desc' newest first (after writing what is queued). */
  traces(id: string, f: { from?: number; to?: number; limit: number; order?: 'asc' | 'desc' }): Promise<Trace[]>;
  /** At most `points` traces spread over [from, to], oldest first (store/probe.ts sampleTraces). */
  sample(id: string, f: { from: number; to: number; points: number }): Promise<Trace[]>;
}

/** Points of a sparkline: the overview draws it 120 px wide, so 2 px a point. */
export const SPARK_POINTS = 60;
/** The longest `recent` window: past a day a 120 px sparkline says nothing more. */
const MAX_RECENT_MS = 86_400_000;

const Ms = Type.Union([Type.Number(), Type.Null()]);
const Point = Type.Object({
  start: Type.String({ format: 'date-time', description: "The trace's start (identifies it in /api/targets/:id/traces)" }),
  reached: Type.Boolean(),
  rttMs: Type.Union([Type.Number(), Type.Null()], { description: 'Median RTT to the destination; null when it did not answer' }),
  minMs: Ms,
  p10Ms: Ms,
  p25Ms: Ms,
  p75Ms: Ms,
  p90Ms: Ms,
  maxMs: Ms,
  samples: Type.Integer({ description: 'RTT samples at the destination (0 for mtr --json: statistics only)' }),
  sent: Type.Integer({ description: 'Probes sent at the destination hop (the last hop when unreached)' }),
  received: Type.Integer(),
  lossPct: Type.Union([Type.Number(), Type.Null()], { description: 'End-to-end loss, percent; null when nothing was sent' }),
  hops: Type.Integer({ description: 'IP hops to the destination (all hops when unreached)' }),
  asPath: Type.Array(Type.Union([Type.Integer(), Type.Array(Type.Integer())]), { description: "The trace's AS sequence: consecutive hops of one AS once, ECMP as a set" }),
});
export type LatencyPoint = Static<typeof Point>;

const Spark = Type.Object({ start: Type.String({ format: 'date-time' }), reached: Type.Boolean(), rttMs: Ms, lossPct: Ms });
const LatestQuery = Type.Object(
  { recent: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: `A duration up to 24h ("3h"): also the traces of that time, median and loss only; at most ${SPARK_POINTS} a target, spread over the time` })) },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const TimeText = Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' });
const Query = Type.Object(
  {
    from: Type.Optional(TimeText),
    to: Type.Optional(TimeText),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 2000 })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc (default): oldest first; desc: newest first, so `limit` keeps the newest' })),
    points: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 5000, description: 'At most this many points spread over the window (one per equal slice: its newest unreached trace, else its newest); replaces limit and order' }),
    ),
  },
  { additionalProperties: false },
);

/** Linear interpolation between closest ranks; `s` sorted ascending, non-empty. */
function quantile(s: readonly number[], q: number): number {
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function latencyPoint(t: Trace): LatencyPoint {
  // The destination hop: the first where the target itself answered.
  const destIndex = t.hops.findIndex((h) => h.responders.some((r) => r.address === t.target && (r.received > 0 || (r.late ?? 0) > 0)));
  const hop = destIndex >= 0 ? t.hops[destIndex] : t.hops[t.hops.length - 1];
  const mine = destIndex >= 0 ? hop.responders.filter((r) => r.address === t.target) : [];
  const samples = mine.flatMap((r) => r.rtts).sort((a, b) => a - b);
  const stats = mine.find((r) => r.stats)?.stats;
  const sent = hop?.sent ?? 0;
  const received = destIndex >= 0 ? Math.min(sent || Infinity, hopReceived(hop)) : 0;
  const p = { minMs: null, p10Ms: null, p25Ms: null, rttMs: null, p75Ms: null, p90Ms: null, maxMs: null } as Record<string, number | null>;
  if (samples.length > 0) {
    for (const [k, q] of [['minMs', 0], ['p10Ms', 0.1], ['p25Ms', 0.25], ['rttMs', 0.5], ['p75Ms', 0.75], ['p90Ms', 0.9], ['maxMs', 1]] as const) p[k] = round(quantile(samples, q));
  } else if (stats) {
    p.minMs = stats.best;
    p.maxMs = stats.worst;
    p.rttMs = stats.avg;
    p.p25Ms = round(Math.max(stats.best, stats.avg - stats.stdev));
    p.p75Ms = round(Math.min(stats.worst, stats.avg + stats.stdev));
  }
  const asPath: (number | number[])[] = [];
  const upTo = destIndex >= 0 ? t.hops.slice(0, destIndex + 1) : t.hops;
  for (const h of upTo) {
    const asns = [...new Set(h.responders.map((r) => r.asn).filter((a): a is number => typeof a === 'number'))].sort((a, b) => a - b);
    if (asns.length === 0) continue;
    const el: number | number[] = asns.length === 1 ? asns[0] : asns;
    const prev = asPath[asPath.length - 1];
    if (prev !== undefined && JSON.stringify(prev) === JSON.stringify(el)) continue;
    asPath.push(el);
  }
  return {
    start: new Date(t.start).toISOString(),
    reached: t.reached,
    rttMs: p.rttMs,
    minMs: p.minMs,
    p10Ms: p.p10Ms,
    p25Ms: p.p25Ms,
    p75Ms: p.p75Ms,
    p90Ms: p.p90Ms,
    maxMs: p.maxMs,
    samples: samples.length,
    sent,
    received,
    lossPct: sent > 0 ? round(100 * (1 - received / sent)) : null,
    hops: destIndex >= 0 ? hop.ttl : (t.hops[t.hops.length - 1]?.ttl ?? 0),
    asPath,
  };
}

export const latencyRoutes: FastifyPluginAsyncTypebox<{ source: LatencySource; now: () => number }> = async (app, { source, now }) => {
  app.get(
    '/api/targets/:id/latency',
    {
      schema: {
        summary: "A target's traces summarised for a latency graph (median, spread, loss, hops, AS sequence), oldest first",
        description:
          '`from`/`to`: ISO-8601 or a duration meaning that long ago; from defaults to 24 h ago. `points=N`: at most N points spread over the window (a week of 10 s traces in a graph); otherwise `limit` traces, the oldest (or with `order=desc` the newest) first.',
        tags: ['probe'],
        params: IdParams,
        querystring: Query,
        response: {
          200: Type.Object({ target: Type.String(), from: Type.String({ format: 'date-time' }), to: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), points: Type.Array(Point) }),
          400: { $ref: 'ErrorResponse#' },
          404: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (req) => {
      const t = source.get(req.params.id);
      if (!t) throw new ApiError('NOT_FOUND', `no target ${JSON.stringify(req.params.id.slice(0, 100))}`);
      const n = now();
      const q = req.query;
      const from = q.from === undefined ? n - 86_400_000 : timeParam('from', q.from, n);
      const to = q.to === undefined ? undefined : timeParam('to', q.to, n);
      const traces = q.points !== undefined ? await source.sample(t.id, { from, to: to ?? n, points: q.points }) : await source.traces(t.id, { from, to, limit: q.limit ?? 2000, order: q.order ?? 'asc' });
      return { target: t.id, from: new Date(from).toISOString(), to: to === undefined ? null : new Date(to).toISOString(), points: traces.map(latencyPoint) };
    },
  );

  app.get(
    '/api/latency',
    {
      schema: {
        summary: `Every target's latest trace, summarised (null when it has none yet); with ?recent=3h also the median and loss of at most ${SPARK_POINTS} traces of that time (sparklines)`,
        tags: ['probe'],
        querystring: LatestQuery,
        response: {
          200: Type.Object({ targets: Type.Array(Type.Object({ targetId: Type.String(), latest: Type.Union([Point, Type.Null()]), recent: Type.Optional(Type.Array(Spark)) })) }),
          400: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (req) => {
      const n = now();
      let since: number | undefined;
      if (req.query.recent !== undefined) {
        const d = parseDuration(req.query.recent);
        if (d === undefined || d > MAX_RECENT_MS) throw new ApiError('BAD_REQUEST', `recent: expected a duration up to 24h like "3h", got ${describe(req.query.recent)}`);
        since = n - d;
      }
      // Per target: its newest trace (one row, newest first on the index) and, with recent,
      // at most SPARK_POINTS traces chosen by SQLite from the index columns: what one call
      // reads and parses is bounded by the number of targets, not by their traces.
      const out: { targetId: string; latest: LatencyPoint | null; recent?: Static<typeof Spark>[] }[] = [];
      for (const t of source.list()) {
        // The last trace started at about lastRun, so one interval back finds it; before
        // a target's first run here, a trace in the recent window is still its latest.
        const newerThan = t.lastRun !== undefined ? t.lastRun - Math.max(t.interval, 60_000) : since;
        const last = newerThan === undefined ? undefined : (await source.traces(t.id, { from: newerThan, limit: 1, order: 'desc' }))[0];
        const latest = last ? latencyPoint(last) : null;
        if (since === undefined) {
          out.push({ targetId: t.id, latest });
          continue;
        }
        const recent = (await source.sample(t.id, { from: since, to: n, points: SPARK_POINTS })).map(latencyPoint);
        out.push({ targetId: t.id, latest, recent: recent.map((p) => ({ start: p.start, reached: p.reached, rttMs: p.rttMs, lossPct: p.lossPct })) });
      }
      return { targets: out };
    },
  );
};
