// GET /api/verdicts?target=ID&since=T&kind=K&limit=N: the correlator's verdicts, newest
// first, as VerdictJson (model/verdict-json.ts). GET /api/verdicts/:id: one of them.
// `since`: ISO-8601, or a duration meaning that long ago ("6h"); no default (all kept).
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { VerdictJson } from '../model/verdict-json.ts';
import type { VerdictFilter } from '../store/verdicts.ts';
import { ApiError } from './errors.ts';
import { RouteChangeSchema } from './route-changes.ts';
import { PeerSchema, timeParam } from './route-json.ts';

export interface VerdictsSource {
  list(f: VerdictFilter): Promise<VerdictJson[]>;
  get(id: number): Promise<VerdictJson | undefined>;
}

const KINDS = ['worse', 'better', 'same', 'unreachable'] as const;
const KindSchema = Type.Union(KINDS.map((k) => Type.Literal(k)));
const nullableNumber = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const AsPathSchema = Type.Array(Type.Union([Type.Integer(), Type.Array(Type.Integer())]), { description: 'As in /api/routes: numbers, an AS_SET as a nested array' });
const TraceAsSchema = Type.Array(Type.Union([Type.Integer(), Type.Array(Type.Integer())]), {
  description: "The trace's collapsed AS sequence; an array where ECMP showed several ASes at one step",
});

export const VerdictSchema = Type.Object(
  {
    id: Type.Integer(),
    targetId: Type.String(),
    targetName: Type.String(),
    address: Type.String({ description: 'The address probed' }),
    prefix: Type.Union([Type.String(), Type.Null()], { description: 'The prefix covering the address in our route view' }),
    causeId: Type.String({ description: 'Every target one BGP event moved shares it; alerts name it' }),
    causeKind: Type.Union([Type.Literal('route-change'), Type.Literal('peer-down'), Type.Literal('path-change')]),
    at: Type.String({ format: 'date-time' }),
    kind: KindSchema,
    confidence: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]),
    findings: Type.Array(Type.String(), { description: 'control-data-mismatch, no-routing-change, prepend-only, withdrawn, no-trace' }),
    reasons: Type.Array(Type.String(), { description: 'Plain sentences, most important first' }),
    deltas: Type.Object({
      rttMs: nullableNumber('Destination RTT, current - baseline, ms'),
      rttPct: nullableNumber('... in percent of the baseline'),
      hops: nullableNumber('IP hops to the destination'),
      asHops: nullableNumber('AS hops'),
      lossPts: nullableNumber('End-to-end loss, percentage points'),
    }),
    bgp: Type.Object({
      prefix: Type.Union([Type.String(), Type.Null()]),
      peer: Type.Union([PeerSchema, Type.Null()]),
      before: Type.Union([AsPathSchema, Type.Null()]),
      after: Type.Union([AsPathSchema, Type.Null()]),
    }),
    trace: Type.Object({ beforeAs: TraceAsSchema, afterAs: TraceAsSchema }),
    routeChanges: Type.Array(RouteChangeSchema),
  },
  { description: 'Did the routing change make the path worse: one target in one cause' },
);

const Query = Type.Object(
  {
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' })),
    kind: Type.Optional(KindSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

const Params = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$', description: 'The verdict id' }) });

export const verdictRoutes: FastifyPluginAsyncTypebox<{ verdicts: VerdictsSource; now: () => number }> = async (app, { verdicts, now }) => {
  app.get(
    '/api/verdicts',
    {
      schema: {
        summary: 'Verdicts, newest first',
        tags: ['correlate'],
        querystring: Query,
        response: { 200: Type.Object({ verdicts: Type.Array(VerdictSchema) }), 400: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const q = req.query;
      const since = q.since === undefined ? undefined : timeParam('since', q.since, now());
      const list = await verdicts.list({ target: q.target, since, kind: q.kind, limit: q.limit ?? 100 });
      return { verdicts: list };
    },
  );

  app.get(
    '/api/verdicts/:id',
    {
      schema: {
        summary: 'One verdict',
        tags: ['correlate'],
        params: Params,
        response: { 200: VerdictSchema, 400: { $ref: 'ErrorResponse#' }, 404: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const v = await verdicts.get(Number(req.params.id));
      if (!v) throw new ApiError('NOT_FOUND', `no verdict ${req.params.id}`);
      return v;
    },
  );
};
