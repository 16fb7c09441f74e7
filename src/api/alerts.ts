// GET /api/alerts?since=T&limit=N&state=S (newest first), GET /api/alerts/:id and
// POST /api/alerts/:id/ack (token; body { by? }): what alerting decided to tell people,
// with each channel's delivery state. `since`: ISO-8601 or a duration meaning that long
// ago ("6h"); `state`: pending | failed (some delivery in that state), sent (every
// delivery sent), acknowledged | unacknowledged.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { AlertsSource } from '../alert/sources.ts';
import type { AlertFilter } from '../store/alerts.ts';
import type { TokenGuard } from './auth.ts';
import { describe } from '../config/validate.ts';
import { ApiError } from './errors.ts';
import { timeParam } from './route-json.ts';

export type { AlertsSource };

const Kind = Type.Union(['worse', 'better', 'same', 'unreachable'].map((k) => Type.Literal(k)));

export const AlertSchema = Type.Object(
  {
    id: Type.Integer(),
    causeId: Type.String(),
    kind: Type.Union([Type.Literal('alert'), Type.Literal('recovery')]),
    rule: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    subject: Type.String(),
    verdict: Kind,
    summary: Type.String({ description: 'One sentence: what happened' }),
    targets: Type.Array(
      Type.Object({
        targetId: Type.String(),
        targetName: Type.String(),
        address: Type.String(),
        prefix: Type.Union([Type.String(), Type.Null()]),
        verdictId: Type.Union([Type.Integer(), Type.Null()]),
        kind: Kind,
      }),
    ),
    deliveries: Type.Array(
      Type.Object({
        channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
        state: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]),
        attempts: Type.Integer(),
        lastError: Type.Union([Type.String(), Type.Null()]),
        sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      }),
    ),
    acknowledged: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), by: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  },
  { description: 'One alert: one rule, one cause, every target it moved' },
);

const Query = Type.Object(
  {
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    state: Type.Optional(Type.Union(['pending', 'sent', 'failed', 'acknowledged', 'unacknowledged'].map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$', description: 'Alert id' }) });

/** The body is optional (a bare POST acknowledges anonymously), so it is checked here rather than by a schema. */
function ackBy(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('VALIDATION_FAILED', 'body: expected an object like { "by": "alice" } or no body');
  const extra = Object.keys(body).filter((k) => k !== 'by');
  if (extra.length > 0) throw new ApiError('VALIDATION_FAILED', `body: expected only "by", got ${JSON.stringify(extra[0]).slice(0, 60)}`);
  const by = (body as { by?: unknown }).by;
  if (by === undefined) return null;
  if (typeof by !== 'string' || by.length < 1 || by.length > 100) throw new ApiError('VALIDATION_FAILED', 'by: expected a name of 1 to 100 characters');
  return by;
}

export const alertRoutes: FastifyPluginAsyncTypebox<{ alerts: AlertsSource; requireToken: TokenGuard; now: () => number }> = async (app, { alerts, requireToken, now }) => {
  const errors = { 400: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' } };

  app.get('/api/alerts', { schema: { summary: 'Alerts, newest first', tags: ['alerts'], querystring: Query, response: { 200: Type.Object({ alerts: Type.Array(AlertSchema) }), 400: { $ref: 'ErrorResponse#' } } } }, async (req) => {
    const q = req.query;
    const since = q.since === undefined ? undefined : timeParam('since', q.since, now());
    // "100000000d" ago is before JavaScript's first date: refused rather than half-handled.
    if (since !== undefined && Number.isNaN(new Date(since).getTime())) throw new ApiError('BAD_REQUEST', `since: expected a time after ${new Date(-8.64e15).toISOString()}, got ${describe(q.since)}`);
    return { alerts: await alerts.list({ ...(since === undefined ? {} : { since }), limit: q.limit ?? 100, ...(q.state ? { state: q.state as AlertFilter['state'] } : {}) }) };
  });

  app.get('/api/alerts/:id', { schema: { summary: 'One alert', tags: ['alerts'], params: IdParams, response: { 200: AlertSchema, ...errors } } }, async (req) => {
    const a = await alerts.get(Number(req.params.id));
    if (!a) throw new ApiError('NOT_FOUND', `no alert ${req.params.id}`);
    return a;
  });

  app.post(
    '/api/alerts/:id/ack',
    {
      onRequest: requireToken,
      schema: {
        summary: 'Acknowledge an alert (the first acknowledgement is kept)',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: IdParams,
        response: { 200: AlertSchema, ...errors, 401: { $ref: 'ErrorResponse#' }, 403: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const a = await alerts.ack(Number(req.params.id), ackBy(req.body));
      if (!a) throw new ApiError('NOT_FOUND', `no alert ${req.params.id}`);
      return a;
    },
  );
};
