// GET /api/routers: every router the RIB has heard of (BMP routers by address, the RIS
// Live collectors, MRT sources), its state, routes, last message and decode errors, the
// live BMP connection when there is one, and per peer and table: state, routes,
// End-of-RIB and last message.
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import { formatAddress } from '../model/address.ts';
import type { RouterView } from '../rib/rib.ts';
import { RouteTableSchema } from './route-json.ts';

export interface ConnectionInfo {
  readonly remotePort: number;
  readonly queuedBytes: number;
  readonly paused: boolean;
  readonly messages: number;
}

export interface RoutersSource {
  routers(): RouterView[];
  /** Decode errors seen from the router so far. */
  decodeErrors(source: string, router: string): number;
  /** The live BMP connection of a router, if any. */
  connection(source: string, router: string): ConnectionInfo | undefined;
}

const State = Type.Union([Type.Literal('up'), Type.Literal('down')]);
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Feed time of the last message; null when none' });

const PeerRow = Type.Object({
  peer: Type.Object({ address: Type.String(), asn: Type.Integer(), bgpId: Type.Optional(Type.String()) }),
  table: RouteTableSchema,
  state: State,
  routes: Type.Integer({ minimum: 0 }),
  endOfRib: Type.Boolean({ description: 'End-of-RIB seen since the peer (re)started: the initial table transfer is complete' }),
  lastMessage: Time,
});

const RouterRow = Type.Object({
  router: Type.String(),
  source: Type.Union([Type.Literal('bmp'), Type.Literal('ris-live'), Type.Literal('mrt')]),
  state: State,
  info: Type.Record(Type.String(), Type.String(), { description: 'BMP Initiation (sysName, sysDescr) or the feed description' }),
  routes: Type.Integer({ minimum: 0 }),
  decodeErrors: Type.Integer({ minimum: 0 }),
  lastMessage: Time,
  connection: Type.Union([
    Type.Object({ remotePort: Type.Integer(), queuedBytes: Type.Integer(), paused: Type.Boolean(), messages: Type.Integer() }),
    Type.Null(),
  ]),
  peers: Type.Array(PeerRow),
});

const Response = Type.Object({ routers: Type.Array(RouterRow) });

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

export const routersRoutes: FastifyPluginAsyncTypebox<{ source: RoutersSource }> = async (app, { source }) => {
  app.get(
    '/api/routers',
    { schema: { summary: 'Routers, their peers and route counts', tags: ['bgp'], response: { 200: Response } } },
    async () => {
      const routers = source
        .routers()
        .sort((a, b) => (a.source + a.router < b.source + b.router ? -1 : 1))
        .map((r) => ({
          router: r.router,
          source: r.source,
          state: r.state,
          info: { ...r.info },
          routes: r.routes,
          decodeErrors: source.decodeErrors(r.source, r.router),
          lastMessage: iso(r.lastMessage),
          connection: source.connection(r.source, r.router) ?? null,
          peers: r.peers
            .map((p) => ({
              peer: {
                address: formatAddress(p.peer.address),
                asn: p.peer.asn,
                ...(p.peer.bgpId ? { bgpId: formatAddress(p.peer.bgpId) } : {}),
              },
              table: p.table,
              state: p.state,
              routes: p.routes,
              endOfRib: p.endOfRib,
              lastMessage: iso(p.lastMessage),
            }))
            .sort((a, b) => (a.peer.address + a.table < b.peer.address + b.table ? -1 : 1)),
        }));
      return { routers };
    },
  );
};
