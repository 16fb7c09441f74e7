// GET /api/routes?prefix=P[&exact=true]: the current routes for P, one per peer (and
// table, and ADD-PATH path), from the live RIB. Without exact (the default) the answer is
// for the longest prefix in the RIB covering P (P itself when present), as a router would
// forward; with exact=true only P itself. 200 with "prefix": null and no routes when
// nothing matches.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { formatPrefix } from '../model/prefix.ts';
import type { Prefix } from '../model/prefix.ts';
import type { RouteView } from '../rib/rib.ts';
import { PrefixText, RouteSchema, prefixParam, sortedRoutes } from './route-json.ts';

/** What the plugin reads: the RIB. */
export interface RoutesSource {
  routes(prefix: Prefix, opts: { exact?: boolean }): RouteView[];
}

const Query = Type.Object(
  {
    prefix: PrefixText,
    exact: Type.Optional(Type.Boolean({ default: false, description: 'true: only this exact prefix; false: its longest match' })),
  },
  { additionalProperties: false },
);

const Response = Type.Object({
  query: Type.String({ description: 'The prefix asked for, canonical' }),
  prefix: Type.Union([Type.String(), Type.Null()], { description: 'The prefix the routes are for (the longest match), null when none' }),
  exact: Type.Boolean(),
  routes: Type.Array(RouteSchema),
});

export const routesRoutes: FastifyPluginAsyncTypebox<{ rib: RoutesSource }> = async (app, { rib }) => {
  app.get(
    '/api/routes',
    {
      schema: {
        summary: 'Current routes for a prefix, per peer',
        description: 'From the live RIB: routes of the longest prefix covering `prefix`, or of exactly `prefix` with exact=true.',
        tags: ['bgp'],
        querystring: Query,
        response: { 200: Response, 400: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const q = prefixParam('prefix', req.query.prefix);
      const exact = req.query.exact === true;
      const routes = rib.routes(q, { exact });
      return {
        query: formatPrefix(q),
        prefix: routes.length > 0 ? formatPrefix(routes[0].prefix) : null,
        exact,
        routes: sortedRoutes(routes),
      };
    },
  );
};
