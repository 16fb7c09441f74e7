// Targets, their traces and their path changes:
//   GET    /api/targets?source=             every target (config, API, auto) with its state; auto ones with their reason
//   POST   /api/targets                      { address, name?, interval?, backend? }  (token)
//   GET    /api/targets/:id
//   DELETE /api/targets/:id                  API targets only; a config target is 409 (token)
//   GET    /api/targets/:id/traces?from&to&limit&order   Trace JSON (model/trace.ts traceToJson), oldest first (order=desc: newest)
//   GET    /api/targets/:id/path-changes?since&until&limit&order
// A target address is an IP literal or a host name inside probe.allowed (a name is
// resolved once, when added); anything else is 400 with the validator's reason.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { PathChange } from '../model/path-change.ts';
import { type Trace, traceToJson } from '../model/trace.ts';
import type { TokenGuard } from './auth.ts';
import { ApiError } from './errors.ts';
import { timeParam } from './route-json.ts';

export interface TargetView {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly host?: string;
  readonly interval: number;
  readonly backend: string;
  readonly source: string;
  readonly state: string;
  readonly nextRun?: number;
  readonly lastRun?: number;
  readonly lastError?: { readonly kind: string; readonly message: string };
  readonly runs: number;
  readonly failures: number;
  readonly skipped: number;
  /** Why an auto target exists ("top 3 by churn: 412 updates in 24h"). */
  readonly reason?: string;
  readonly pinned?: boolean;
}

export type AddResult = { ok: true; value: TargetView } | { ok: false; field: string; reason: string };

export interface TargetsSource {
  list(): TargetView[];
  get(id: string): TargetView | undefined;
  add(input: unknown): Promise<AddResult>;
  remove(id: string): Promise<'removed' | 'not-found' | 'config'>;
  traces(id: string, f: { from?: number; to?: number; limit: number; order?: Order }): Promise<Trace[]>;
  pathChanges(id: string, f: { since?: number; until?: number; limit: number; order?: Order }): Promise<PathChange[]>;
}

const Target = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String({ description: 'The IP address probed' }),
  host: Type.Optional(Type.String({ description: 'The host name it was added as (resolved once, then)' })),
  interval: Type.String({ description: 'Duration, e.g. "5m"' }),
  intervalMs: Type.Integer(),
  backend: Type.String(),
  source: Type.Union([Type.Literal('config'), Type.Literal('api'), Type.Literal('auto')]),
  state: Type.String({ description: 'waiting, queued, running, ok, failing, refused, backend-unavailable' }),
  nextRun: Type.Optional(Type.String({ format: 'date-time' })),
  lastRun: Type.Optional(Type.String({ format: 'date-time' })),
  lastError: Type.Optional(Type.Object({ kind: Type.String(), message: Type.String() })),
  runs: Type.Integer(),
  failures: Type.Integer(),
  skipped: Type.Integer(),
  reason: Type.Optional(Type.String({ description: 'Auto targets: why smoketrace made it' })),
  pinned: Type.Optional(Type.Boolean({ description: 'Auto targets: accepted through the API, never expires' })),
});

const ListQuery = Type.Object({ source: Type.Optional(Type.Union([Type.Literal('config'), Type.Literal('api'), Type.Literal('auto')])) }, { additionalProperties: false });

const NewTarget = Type.Object(
  {
    address: Type.String({ minLength: 1, maxLength: 300, description: 'An IP address or a host name inside probe.allowed' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    interval: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Integer()], { description: 'Duration like "5m", or milliseconds' })),
    backend: Type.Optional(Type.String({ maxLength: 20, description: 'mtr, scamper, traceroute or tcptraceroute' })),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const TimeText = Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' });
type Order = 'asc' | 'desc';
const OrderParam = Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc (default): oldest first; desc: newest first, so `limit` keeps the newest' }));
const TracesQuery = Type.Object(
  { from: Type.Optional(TimeText), to: Type.Optional(TimeText), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })), order: OrderParam },
  { additionalProperties: false },
);
const ChangesQuery = Type.Object(
  { since: Type.Optional(TimeText), until: Type.Optional(TimeText), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })), order: OrderParam },
  { additionalProperties: false },
);

const Responder = Type.Object(
  { address: Type.String(), rtts: Type.Array(Type.Number()), sent: Type.Integer(), received: Type.Integer(), asn: Type.Union([Type.Integer(), Type.Null()]) },
  { additionalProperties: true },
);
const TraceSchema = Type.Object(
  {
    target: Type.String(),
    backend: Type.String(),
    method: Type.String(),
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    reached: Type.Boolean(),
    hops: Type.Array(Type.Object({ ttl: Type.Integer(), responders: Type.Array(Responder), sent: Type.Integer(), received: Type.Integer() })),
    stopReason: Type.Optional(Type.String()),
    source: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const ChangeSchema = Type.Object(
  {
    target: Type.String(),
    kind: Type.String(),
    at: Type.String({ format: 'date-time' }),
    since: Type.String({ format: 'date-time' }),
    reasons: Type.Array(Type.String()),
  },
  { additionalProperties: true, description: 'A PathChange (model/path-change.ts) with times as ISO-8601' },
);

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function formatDuration(ms: number): string {
  for (const [unit, n] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % n === 0) return `${ms / n}${unit}`;
  return `${ms}ms`;
}

/** A target as GET /api/targets/:id returns it (also the live 'target' event). */
export function targetJson(t: TargetView) {
  return {
    id: t.id,
    name: t.name,
    address: t.address,
    ...(t.host ? { host: t.host } : {}),
    interval: formatDuration(t.interval),
    intervalMs: t.interval,
    backend: t.backend,
    source: t.source as 'config' | 'api' | 'auto',
    state: t.state,
    ...(t.nextRun !== undefined ? { nextRun: iso(t.nextRun) } : {}),
    ...(t.lastRun !== undefined ? { lastRun: iso(t.lastRun) } : {}),
    ...(t.lastError ? { lastError: t.lastError } : {}),
    runs: t.runs,
    failures: t.failures,
    skipped: t.skipped,
    ...(t.reason !== undefined ? { reason: t.reason } : {}),
    ...(t.pinned !== undefined ? { pinned: t.pinned } : {}),
  };
}

function changeJson(c: PathChange) {
  return { ...c, at: new Date(c.at).toISOString(), since: new Date(c.since).toISOString() };
}

export const targetRoutes: FastifyPluginAsyncTypebox<{ targets: TargetsSource; requireToken: TokenGuard; now: () => number }> = async (app, { targets, requireToken, now }) => {
  const find = (id: string) => {
    const t = targets.get(id);
    if (!t) throw new ApiError('NOT_FOUND', `no target ${JSON.stringify(id.slice(0, 100))}`);
    return t;
  };
  const errors = { 400: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' } };

  app.get(
    '/api/targets',
    { schema: { summary: 'Every target, with its probing state (?source=config|api|auto)', tags: ['probe'], querystring: ListQuery, response: { 200: Type.Object({ targets: Type.Array(Target) }), 400: { $ref: 'ErrorResponse#' } } } },
    async (req) => ({
      targets: targets
        .list()
        .filter((t) => req.query.source === undefined || t.source === req.query.source)
        .map(targetJson),
    }),
  );

  app.post(
    '/api/targets',
    {
      onRequest: requireToken,
      schema: {
        summary: 'Add a target (IP address or host name inside probe.allowed)',
        tags: ['probe'],
        security: [{ bearer: [] }],
        body: NewTarget,
        response: { 201: Target, 400: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' }, 403: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req, reply) => {
      const r = await targets.add(req.body);
      if (!r.ok) throw new ApiError('VALIDATION_FAILED', `${r.field ? `${r.field} ` : ''}${r.reason}`);
      return reply.status(201).send(targetJson(r.value));
    },
  );

  app.get('/api/targets/:id', { schema: { summary: 'One target', tags: ['probe'], params: IdParams, response: { 200: Target, ...errors } } }, async (req) => targetJson(find(req.params.id)));

  app.delete(
    '/api/targets/:id',
    {
      onRequest: requireToken,
      schema: {
        summary: 'Remove an API-made target (config targets are removed from the config file)',
        tags: ['probe'],
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 204: Type.Null(), 401: { $ref: 'ErrorResponse#' }, 403: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' }, 409: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const r = await targets.remove(id);
      if (r === 'not-found') throw new ApiError('NOT_FOUND', `no target ${JSON.stringify(id)}`);
      if (r === 'config') throw new ApiError('CONFLICT', `target ${JSON.stringify(id)} comes from the config file ([[targets]]); remove it there and reload`);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/targets/:id/traces',
    {
      schema: {
        summary: "A target's traces (Trace JSON, as `smoketrace trace --json` prints), oldest first (order=desc: newest first)",
        description: '`from`/`to`: ISO-8601 or a duration meaning that long ago; from defaults to 24 h ago.',
        tags: ['probe'],
        params: IdParams,
        querystring: TracesQuery,
        response: { 200: Type.Object({ target: Type.String(), from: Type.String({ format: 'date-time' }), traces: Type.Array(TraceSchema) }), ...errors },
      },
    },
    async (req) => {
      const t = find(req.params.id);
      const n = now();
      const from = req.query.from === undefined ? n - 86_400_000 : timeParam('from', req.query.from, n);
      const to = req.query.to === undefined ? undefined : timeParam('to', req.query.to, n);
      const list = await targets.traces(t.id, { from, to, limit: req.query.limit ?? 1000, order: req.query.order ?? 'asc' });
      return { target: t.id, from: new Date(from).toISOString(), traces: list.map(traceToJson) };
    },
  );

  app.get(
    '/api/targets/:id/path-changes',
    {
      schema: {
        summary: "A target's path changes (IP/AS path, hop count, RTT, loss, reachability), oldest first (order=desc: newest first)",
        description: '`since`/`until`: ISO-8601 or a duration meaning that long ago; since defaults to 7 days ago.',
        tags: ['probe'],
        params: IdParams,
        querystring: ChangesQuery,
        response: { 200: Type.Object({ target: Type.String(), since: Type.String({ format: 'date-time' }), changes: Type.Array(ChangeSchema) }), ...errors },
      },
    },
    async (req) => {
      const t = find(req.params.id);
      const n = now();
      const since = req.query.since === undefined ? n - 7 * 86_400_000 : timeParam('since', req.query.since, n);
      const until = req.query.until === undefined ? undefined : timeParam('until', req.query.until, n);
      const list = await targets.pathChanges(t.id, { since, until, limit: req.query.limit ?? 1000, order: req.query.order ?? 'asc' });
      return { target: t.id, since: new Date(since).toISOString(), changes: list.map(changeJson) };
    },
  );
};
