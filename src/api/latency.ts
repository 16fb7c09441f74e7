// Latency summaries of traces, for the console's SmokePing-style graph and the overview:
//   GET /api/targets/:id/latency?from&to&limit  one point per trace, oldest first
//   GET /api/latency[?recent=3h]                every target's latest trace, summarised
//                                               (and with recent, median and loss of each trace of that time)
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
  /** Stored traces of a target, oldest first (after writing what is queued). */
  traces(id: string, f: { from?: number; to?: number; limit: number }): Promise<Trace[]>;
}

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
  { recent: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'A duration up to 7d ("3h"): also every trace of that time, median and loss only' })) },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const TimeText = Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' });
const Query = Type.Object(
  { from: Type.Optional(TimeText), to: Type.Optional(TimeText), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 2000 })) },
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
        description: '`from`/`to`: ISO-8601 or a duration meaning that long ago; from defaults to 24 h ago.',
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
      const from = req.query.from === undefined ? n - 86_400_000 : timeParam('from', req.query.from, n);
      const to = req.query.to === undefined ? undefined : timeParam('to', req.query.to, n);
      const traces = await source.traces(t.id, { from, to, limit: req.query.limit ?? 2000 });
      return { target: t.id, from: new Date(from).toISOString(), to: to === undefined ? null : new Date(to).toISOString(), points: traces.map(latencyPoint) };
    },
  );

  app.get(
    '/api/latency',
    {
      schema: {
        summary: "Every target's latest trace, summarised (null when it has none yet); with ?recent=3h also each trace's median and loss over that time (sparklines)",
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
        if (d === undefined || d > 7 * 86_400_000) throw new ApiError('BAD_REQUEST', `recent: expected a duration up to 7d like "3h", got ${describe(req.query.recent)}`);
        since = n - d;
      }
      const out: { targetId: string; latest: LatencyPoint | null; recent?: Static<typeof Spark>[] }[] = [];
      for (const t of source.list()) {
        let latest: LatencyPoint | null = null;
        if (since !== undefined) {
          const points = (await source.traces(t.id, { from: since, limit: 2000 })).map(latencyPoint);
          latest = points[points.length - 1] ?? null;
          if (latest === null && t.lastRun !== undefined) {
            const older = await source.traces(t.id, { from: t.lastRun - Math.max(t.interval, 60_000), limit: 10_000 });
            if (older.length > 0) latest = latencyPoint(older[older.length - 1]);
          }
          out.push({ targetId: t.id, latest, recent: points.map((p) => ({ start: p.start, reached: p.reached, rttMs: p.rttMs, lossPct: p.lossPct })) });
          continue;
        }
        if (t.lastRun !== undefined) {
          // The last trace started at about lastRun; one interval back is enough to find it.
          const traces = await source.traces(t.id, { from: t.lastRun - Math.max(t.interval, 60_000), limit: 10_000 });
          const last = traces[traces.length - 1];
          if (last) latest = latencyPoint(last);
        }
        out.push({ targetId: t.id, latest });
      }
      return { targets: out };
    },
  );
};
