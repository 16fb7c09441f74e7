// Auto-target suggestions (src/targets/auto/):
//   GET  /api/targets/suggestions?limit=N         the current ranking, best first, each with
//                                                 prefix, address (when known), score, reason, source
//   POST /api/targets/suggestions/accept (token)  { prefix } or { target } [, address ]:
//                                                 make (or keep) it an auto target, pinned: it
//                                                 never expires
// The list of targets themselves stays GET /api/targets?source=auto.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { TokenGuard } from './auth.ts';
import { ApiError } from './errors.ts';

export interface SuggestionView {
  readonly prefix: string;
  readonly address?: string;
  readonly score: number;
  readonly reason: string;
  readonly source: string;
  readonly origins: readonly number[];
  readonly targetId?: string;
  readonly state?: string;
}

export interface AutoTargetView {
  readonly id: string;
  readonly prefix: string;
  readonly address: string;
  readonly source: string;
  readonly reason: string;
  readonly state: string;
  readonly pinned: boolean;
}

export interface SuggestionsSource {
  /** undefined when auto_targets is not enabled. */
  suggestions(): Promise<{ at: number; suggestions: SuggestionView[]; skipped: { prefix: string; why: string }[] } | undefined>;
  accept(input: { prefix?: string; target?: string; address?: string }): Promise<
    { ok: true; target: AutoTargetView; created: boolean } | { ok: false; status: 400 | 404 | 409 | 503; reason: string }
  >;
}

const Suggestion = Type.Object({
  rank: Type.Integer(),
  prefix: Type.String(),
  address: Type.Union([Type.String(), Type.Null()], { description: 'The address probed or to probe; null until one is known' }),
  score: Type.Number({ description: "The source's own measure: updates (churn), peers (asn), bytes or packets (traffic), 0 (static)" }),
  reason: Type.String(),
  source: Type.String({ description: 'churn, asn, traffic or static' }),
  origins: Type.Array(Type.Integer()),
  targetId: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.String(), Type.Null()], { description: 'added or confirmed when it is a target already' }),
});

const AutoTarget = Type.Object({
  id: Type.String(),
  prefix: Type.String(),
  address: Type.String(),
  source: Type.String(),
  reason: Type.String(),
  state: Type.String(),
  pinned: Type.Boolean(),
});

const AcceptBody = Type.Object(
  {
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'An auto target id, to pin it' })),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'The address to probe (inside the prefix and probe.allowed)' })),
  },
  { additionalProperties: false },
);

const errors = { 400: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' }, 403: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' }, 409: { $ref: 'ErrorResponse#' }, 503: { $ref: 'ErrorResponse#' } };

export const autoTargetRoutes: FastifyPluginAsyncTypebox<{ source: SuggestionsSource; requireToken: TokenGuard }> = async (app, { source, requireToken }) => {
  app.get(
    '/api/targets/suggestions',
    {
      schema: {
        summary: 'Prefixes worth a target, ranked (auto_targets sources and caps), each with its reason',
        tags: ['probe'],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ at: Type.String({ format: 'date-time' }), suggestions: Type.Array(Suggestion), skipped: Type.Array(Type.Object({ prefix: Type.String(), why: Type.String() })) }),
          503: { $ref: 'ErrorResponse#' },
        },
      },
    },
    async (req) => {
      const r = await source.suggestions();
      if (!r) throw new ApiError('UNAVAILABLE', 'auto targets are off: set auto_targets.enabled = true');
      const list = r.suggestions.slice(0, req.query.limit ?? r.suggestions.length);
      return {
        at: new Date(r.at).toISOString(),
        suggestions: list.map((s, i) => ({
          rank: i + 1,
          prefix: s.prefix,
          address: s.address ?? null,
          score: s.score,
          reason: s.reason,
          source: s.source,
          origins: [...s.origins],
          targetId: s.targetId ?? null,
          state: s.state ?? null,
        })),
        skipped: r.skipped.slice(0, 1000),
      };
    },
  );

  app.post(
    '/api/targets/suggestions/accept',
    {
      onRequest: requireToken,
      schema: {
        summary: 'Accept a suggestion, or pin an auto target: it becomes (or stays) a target that never expires',
        tags: ['probe'],
        security: [{ bearer: [] }],
        body: AcceptBody,
        response: { 200: AutoTarget, 201: AutoTarget, ...errors },
      },
    },
    async (req, reply) => {
      const r = await source.accept(req.body);
      if (!r.ok) {
        const code = r.status === 404 ? 'NOT_FOUND' : r.status === 409 ? 'CONFLICT' : r.status === 503 ? 'UNAVAILABLE' : 'VALIDATION_FAILED';
        throw new ApiError(code, r.reason);
      }
      const t = r.target;
      return reply.status(r.created ? 201 : 200).send({ id: t.id, prefix: t.prefix, address: t.address, source: t.source, reason: t.reason, state: t.state, pinned: t.pinned });
    },
  );
};
