// The BGP resources on their own (app.inject, a RIB filled in the test): the route JSON
// field by field, AS_SETs as nested arrays, absent attributes as null, exact vs longest
// match, and the OpenAPI document naming every field clients read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { lookupRoutes } from '../../src/api/lookup.ts';
import { routeChangesRoutes } from '../../src/api/route-changes.ts';
import { routersRoutes } from '../../src/api/routers.ts';
import { routesRoutes } from '../../src/api/routes.ts';
import { createLogger } from '../../src/log.ts';
import { parseAddress } from '../../src/model/address.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { Rib } from '../../src/rib/rib.ts';

function ribWithRoutes(): Rib {
  const rib = new Rib();
  const peer = { address: parseAddress('10.77.12.2')!, asn: 65002 };
  const base = { source: 'bmp' as const, router: '192.0.2.1', peer, time: 1_714_564_800_000, received: 0 };
  rib.apply({ kind: 'router-up', source: 'bmp', router: '192.0.2.1', info: { sysName: 'edge1' }, time: 1_714_564_800_000 });
  rib.apply({
    kind: 'route',
    event: {
      ...base,
      kind: 'announce',
      table: 'adj-rib-in-pre',
      prefix: parsePrefix('198.51.100.0/24')!,
      attrs: { asPath: [65002, 65004, [64512, 64513]], nextHop: parseAddress('10.77.12.2')!, origin: 'igp', med: 0, localPref: 100, communities: ['65002:100'], largeCommunities: [] },
    },
  });
  rib.apply({
    kind: 'route',
    event: { ...base, kind: 'announce', table: 'loc-rib', prefix: parsePrefix('198.51.0.0/16')!, attrs: { asPath: [], communities: [], largeCommunities: [] } },
  });
  return rib;
}

async function app(t: { after(fn: () => unknown): void }) {
  const rib = ribWithRoutes();
  const a = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version: 't',
    token: undefined,
    health: { version: 't', uptimeSeconds: () => 0, components: () => ({}) },
    resources: [
      async (x) => {
        await x.register(routesRoutes, { rib });
      },
      async (x) => {
        await x.register(lookupRoutes, { rib });
      },
      async (x) => {
        await x.register(routersRoutes, { source: { routers: () => rib.routers(), decodeErrors: () => 0, connection: () => undefined } });
      },
      async (x) => {
        await x.register(routeChangesRoutes, { changes: { list: async () => [] }, now: () => 0 });
      },
    ],
  });
  t.after(() => a.close());
  return a;
}

test('a route is exactly the documented JSON: AS_SET nested, absent attributes null', async (t) => {
  const a = await app(t);
  const r = await a.inject({ url: '/api/routes?prefix=198.51.100.0/24&exact=true' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.json(), {
    query: '198.51.100.0/24',
    prefix: '198.51.100.0/24',
    exact: true,
    routes: [
      {
        router: '192.0.2.1',
        peer: { address: '10.77.12.2', asn: 65002 },
        table: 'adj-rib-in-pre',
        asPath: [65002, 65004, [64512, 64513]],
        nextHop: '10.77.12.2',
        origin: 'igp',
        med: 0,
        localPref: 100,
        communities: ['65002:100'],
        largeCommunities: [],
        since: '2024-05-01T12:00:00.000Z',
      },
    ],
  });
  const cover = (await a.inject({ url: '/api/routes?prefix=198.51.7.0/24' })).json();
  assert.equal(cover.prefix, '198.51.0.0/16');
  assert.deepEqual(cover.routes[0], {
    router: '192.0.2.1',
    peer: { address: '10.77.12.2', asn: 65002 },
    table: 'loc-rib',
    asPath: [],
    nextHop: null,
    origin: null,
    med: null,
    localPref: null,
    communities: [],
    largeCommunities: [],
    since: '2024-05-01T12:00:00.000Z',
  });
  const lookup = (await a.inject({ url: '/api/lookup?ip=198.51.100.9' })).json();
  assert.deepEqual([lookup.prefix, lookup.origins], ['198.51.100.0/24', [64512, 64513]]);
  const routers = (await a.inject({ url: '/api/routers' })).json();
  assert.deepEqual(routers.routers[0].info, { sysName: 'edge1' });
  assert.deepEqual(routers.routers[0].peers.map((p: { table: string; routes: number }) => [p.table, p.routes]), [
    ['adj-rib-in-pre', 1],
    ['loc-rib', 1],
  ]);
});

test('the OpenAPI document names the BGP endpoints and every field of a route', async (t) => {
  const a = await app(t);
  const doc = (await a.inject({ url: '/api/openapi.json' })).json();
  for (const p of ['/api/routes', '/api/lookup', '/api/routers', '/api/route-changes']) assert.ok(doc.paths[p]?.get, p);
  const route = doc.paths['/api/routes'].get.responses['200'].content['application/json'].schema.properties.routes.items;
  assert.deepEqual(Object.keys(route.properties), ['router', 'peer', 'table', 'asPath', 'nextHop', 'origin', 'med', 'localPref', 'communities', 'largeCommunities', 'since']);
  const params = doc.paths['/api/routes'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
  assert.deepEqual(params.sort(), ['query:exact', 'query:prefix']);
  const change = doc.paths['/api/route-changes'].get.responses['200'].content['application/json'].schema.properties.changes.items;
  for (const f of ['time', 'prefix', 'peer', 'table', 'kind', 'cause', 'before', 'after']) assert.ok(change.properties[f], f);
});
