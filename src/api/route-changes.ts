// GET /api/route-changes?prefix=P&since=T[&until=T][&limit=N][&order=desc]: stored changes of
// monitored prefixes (rib.monitor and prefixes covering a target), oldest first (newest first with order=desc), with
// every attribute before and after. `since`/`until`: ISO-8601, or a duration meaning that
// long ago ("6h"); since defaults to 24 h ago. Times are the feed's own.
import { type FastifyPluginAsyncTypebox, type Static, Type } from '@fastify/type-provider-typebox';
import { formatPrefix } from '../model/prefix.ts';
import type { RouteChangeFilter, StoredRouteChange } from '../store/route-changes.ts';
import { AttributesSchema, PeerSchema, PrefixText, RouteTableSchema, prefixParam, timeParam } from './route-json.ts';

export interface RouteChangesSource {
  list(f: RouteChangeFilter): Promise<StoredRouteChange[]>;
}

const TimeText = Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time, or a duration like "6h" meaning that long ago' });

const Query = Type.Object(
  {
    prefix: Type.Optional(PrefixText),
    since: Type.Optional(TimeText),
    until: Type.Optional(TimeText),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc (default): oldest first; desc: newest first, so `limit` keeps the newest' })),
  },
  { additionalProperties: false },
);

/** One item of GET /api/route-changes (also the routeChanges of a verdict). */
export const RouteChangeSchema = Type.Object({
  time: Type.String({ format: 'date-time', description: "The feed's time of the change" }),
  prefix: Type.String(),
  source: Type.String(),
  router: Type.String(),
  peer: PeerSchema,
  table: RouteTableSchema,
  pathId: Type.Optional(Type.Integer()),
  kind: Type.Union(['new', 'path-change', 'next-hop-change', 'attribute-change', 'withdraw'].map((k) => Type.Literal(k))),
  cause: Type.Union(['update', 'withdraw', 'peer-down', 'router-down'].map((k) => Type.Literal(k))),
  reason: Type.Optional(Type.String({ description: 'For peer-down / router-down: why, in the feed’s words' })),
  before: Type.Union([AttributesSchema, Type.Null()]),
  after: Type.Union([AttributesSchema, Type.Null()]),
});

const Change = RouteChangeSchema;
type ChangeJson = Static<typeof Change>;

const Response = Type.Object({
  prefix: Type.Union([Type.String(), Type.Null()]),
  since: Type.String({ format: 'date-time' }),
  changes: Type.Array(Change),
});

export const routeChangesRoutes: FastifyPluginAsyncTypebox<{ changes: RouteChangesSource; now: () => number }> = async (app, { changes, now }) => {
  app.get(
    '/api/route-changes',
    {
      schema: {
        summary: 'Stored route changes of monitored prefixes',
        tags: ['bgp'],
        querystring: Query,
        response: { 200: Response, 400: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const q = req.query;
      const t = now();
      const prefix = q.prefix === undefined ? undefined : formatPrefix(prefixParam('prefix', q.prefix));
      const since = q.since === undefined ? t - 86_400_000 : timeParam('since', q.since, t);
      const until = q.until === undefined ? undefined : timeParam('until', q.until, t);
      const rows = await changes.list({ prefix, since, until, limit: q.limit ?? 1000, order: q.order ?? 'asc' });
      return {
        prefix: prefix ?? null,
        since: new Date(since).toISOString(),
        changes: rows.map((c) => ({
          time: new Date(c.time).toISOString(),
          prefix: c.prefix,
          source: c.source,
          router: c.router,
          peer: c.peer,
          table: c.table as ChangeJson['table'],
          ...(c.pathId === undefined ? {} : { pathId: c.pathId }),
          kind: c.kind as ChangeJson['kind'],
          cause: c.cause as ChangeJson['cause'],
          ...(c.reason === undefined ? {} : { reason: c.reason }),
          before: c.before as ChangeJson['before'],
          after: c.after as ChangeJson['after'],
        })),
      };
    },
  );
};
