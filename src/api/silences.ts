// Maintenance silences: POST /api/silences (token) { prefix?, target?, start?, end,
// comment } -> 201 SilenceJson; GET /api/silences[?active=true] -> { silences };
// DELETE /api/silences/:id (token) -> 204. While a silence is active, alerts (and
// recovery notices) for targets inside its prefix, or the target it names (id, name or
// address), are not sent. `start` defaults to now; `start`/`end` are ISO-8601, and `end`
// may be a duration ("2h") meaning that long after start.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { NewSilence, SilencesSource } from '../alert/sources.ts';
import { parseDuration } from '../config/values.ts';
import { describe } from '../config/validate.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { TokenGuard } from './auth.ts';
import { ApiError } from './errors.ts';
import { prefixParam, timeParam } from './route-json.ts';

export type { NewSilence, SilencesSource };

export const SilenceSchema = Type.Object({
  id: Type.Integer(),
  prefix: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  active: Type.Boolean(),
});

const Body = Type.Object(
  {
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Silence every target inside this prefix' })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Silence this target (id, name or address)' })),
    start: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601; default now' })),
    end: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601, or a duration like "2h" after start' }),
    comment: Type.String({ minLength: 1, maxLength: 1000, description: 'Why (a change ticket, a maintenance window)' }),
  },
  { additionalProperties: false },
);

/** The longest a silence may last (and how far ahead it may start): maintenance, not "mute forever". */
const MAX_AHEAD_DAYS = 366;
const MAX_AHEAD_MS = MAX_AHEAD_DAYS * 86_400_000;

const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

export const silenceRoutes: FastifyPluginAsyncTypebox<{ silences: SilencesSource; requireToken: TokenGuard; now: () => number }> = async (app, { silences, requireToken, now }) => {
  const errors = { 400: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' }, 403: { $ref: 'ErrorResponse#' } };

  app.post(
    '/api/silences',
    { onRequest: requireToken, schema: { summary: 'Silence alerts for a prefix or a target for a while', tags: ['alerts'], security: [{ bearer: [] }], body: Body, response: { 201: SilenceSchema, ...errors } } },
    async (req, reply) => {
      const b = req.body;
      if (b.prefix === undefined && b.target === undefined) throw new ApiError('VALIDATION_FAILED', 'prefix: expected a prefix or a target to silence, got neither');
      const prefix = b.prefix === undefined ? null : formatPrefix(prefixParam('prefix', b.prefix));
      const t = now();
      const start = b.start === undefined ? t : isoParam('start', b.start, t);
      const d = parseDuration(b.end);
      // Bounded before anything is stored: an end past JavaScript's last date would be
      // inserted, then break every later GET /api/silences when shown as ISO-8601.
      const latestStart = t + MAX_AHEAD_MS;
      if (start > latestStart) throw new ApiError('VALIDATION_FAILED', `start: expected a time at most ${MAX_AHEAD_DAYS} days ahead (by ${new Date(latestStart).toISOString()}), got ${describe(b.start)}`);
      const end = d !== undefined ? start + d : isoParam('end', b.end, t);
      const latestEnd = Math.max(start, t) + MAX_AHEAD_MS;
      if (end > latestEnd) throw new ApiError('VALIDATION_FAILED', `end: expected a time at most ${MAX_AHEAD_DAYS} days after start (by ${new Date(latestEnd).toISOString()}), got ${describe(b.end)}`);
      if (end <= start) throw new ApiError('VALIDATION_FAILED', `end: expected a time after start (${new Date(start).toISOString()}), got ${describe(b.end)}`);
      const s = await silences.add({ prefix, target: b.target ?? null, start, end, comment: b.comment });
      return reply.status(201).send(s);
    },
  );

  app.get(
    '/api/silences',
    {
      schema: {
        summary: 'Silences (active=true: only those in force now)',
        tags: ['alerts'],
        querystring: Type.Object({ active: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ silences: Type.Array(SilenceSchema) }), 400: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => ({ silences: await silences.list(req.query.active === true) }),
  );

  app.delete(
    '/api/silences/:id',
    { onRequest: requireToken, schema: { summary: 'Remove a silence', tags: ['alerts'], security: [{ bearer: [] }], params: IdParams, response: { 204: Type.Null(), ...errors, 404: { $ref: 'ErrorResponse#' } } } },
    async (req, reply) => {
      if (!(await silences.remove(Number(req.params.id)))) throw new ApiError('NOT_FOUND', `no silence ${req.params.id}`);
      return reply.status(204).send(null);
    },
  );
};

/** ISO-8601 only (a duration here would be ambiguous: ago or ahead?). */
function isoParam(name: string, raw: string, now: number): number {
  if (parseDuration(raw) !== undefined) throw new ApiError('VALIDATION_FAILED', `${name}: expected an ISO-8601 time like "2024-05-01T12:00:00Z", got ${describe(raw)}`);
  try {
    return timeParam(name, raw, now);
  } catch (e) {
    throw new ApiError('VALIDATION_FAILED', (e as Error).message);
  }
}
