// GET /api/lookup?ip=A: longest-prefix match in the live RIB: the covering prefix, its
// origin AS(es) (more than one is a MOAS; an AS_SET at the end counts every member) and
// every route for it. 200 with "prefix": null when no prefix covers A.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { type Address, formatAddress } from '../model/address.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { LookupResult } from '../rib/rib.ts';
import { RouteSchema, addressParam, sortedRoutes } from './route-json.ts';

export interface LookupSource {
  lookup(address: Address): LookupResult | undefined;
}

const Query = Type.Object(
  { ip: Type.String({ minLength: 1, maxLength: 64, description: 'An IPv4 or IPv6 address' }) },
  { additionalProperties: false },
);

const Response = Type.Object({
  ip: Type.String(),
  prefix: Type.Union([Type.String(), Type.Null()], { description: 'The longest prefix covering ip, null when none' }),
  origins: Type.Array(Type.Integer(), { description: 'Origin AS(es) over all routes of the prefix' }),
  routes: Type.Array(RouteSchema),
});

export const lookupRoutes: FastifyPluginAsyncTypebox<{ rib: LookupSource }> = async (app, { rib }) => {
  app.get(
    '/api/lookup',
    {
      schema: {
        summary: 'Longest-prefix match for an address',
        tags: ['bgp'],
        querystring: Query,
        response: { 200: Response, 400: { $ref: 'ErrorResponse#' } },
      },
    },
    async (req) => {
      const a = addressParam('ip', req.query.ip);
      const r = rib.lookup(a);
      if (!r) return { ip: formatAddress(a), prefix: null, origins: [], routes: [] };
      return { ip: formatAddress(a), prefix: formatPrefix(r.prefix), origins: r.origins, routes: sortedRoutes(r.routes) };
    },
  );
};
