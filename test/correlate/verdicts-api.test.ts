// Verdicts stored by the correlator in a real SQLite file, read back through
// GET /api/verdicts (app.inject): the VerdictJson shape field by field, filters, one by
// id, the OpenAPI document, storing a cause twice, and retention.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { verdictRoutes } from '../../src/api/verdicts.ts';
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';
import { A, SETTLE, SLOW, at, harness, withdraw } from './harness.ts';

const DAY = 86_400_000;

test('verdicts: stored with ids, GET /api/verdicts and /:id in the VerdictJson shape, filters, retention', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-verdicts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let now = Date.UTC(2026, 10, 22, 4, 0, 0);
  const store = new Store({ path: join(dir, 'db.sqlite'), version: 't', logger: createLogger({ level: 'silent' }), retentionMs: DAY, now: () => now });
  await store.start();
  t.after(() => store.stop());

  const h = await harness(t, { store: { insert: (c) => store.verdicts.insertCause(c) } });
  await h.learn();
  h.backend.scripts.set('203.0.113.10', { path: SLOW, rttMs: 80 });
  h.apply(withdraw(A, '203.0.113.0/24', at(0, h.clock)));
  await h.advance(SETTLE);
  assert.equal(h.causes.length, 1);
  const cause = h.causes[0];
  const ids = cause.verdicts.map((v) => v.id);
  assert.ok(ids.every((id) => typeof id === 'number' && id > 0), `stored ids ${ids}`);
  const live = h.published.filter((p) => p.type === 'verdict').map((p) => p.data as { id: number; causeId: string });
  assert.deepEqual(live.map((v) => v.id).sort(), [...ids].sort(), 'each verdict is published with its stored id');
  assert.ok(live.every((v) => v.causeId === cause.id), 'and its cause');

  const app = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version: 't',
    token: undefined,
    health: { version: 't', uptimeSeconds: () => 0, components: () => ({}) },
    resources: [
      async (x) => {
        await x.register(verdictRoutes, { verdicts: { list: (f) => store.verdicts.list(f), get: (id) => store.verdicts.get(id) }, now: () => now });
      },
    ],
  });
  t.after(() => app.close());

  const all = (await app.inject({ url: '/api/verdicts' })).json().verdicts;
  assert.equal(all.length, 2);
  const web = all.find((v: { targetId: string }) => v.targetId === 'web');
  assert.deepEqual(Object.keys(web).sort(), [
    'address',
    'at',
    'bgp',
    'causeId',
    'causeKind',
    'confidence',
    'deltas',
    'findings',
    'id',
    'kind',
    'prefix',
    'reasons',
    'routeChanges',
    'targetId',
    'targetName',
    'trace',
  ]);
  assert.equal(web.targetName, 'web');
  assert.equal(web.address, '203.0.113.10');
  assert.equal(web.prefix, '203.0.113.0/24');
  assert.equal(web.causeId, cause.id);
  assert.equal(web.causeKind, 'route-change');
  assert.equal(web.at, new Date(h.clock.now()).toISOString(), 'the start of the settle trace that confirmed the change');
  assert.equal(web.kind, 'worse');
  assert.equal(web.deltas.rttMs, 60);
  assert.equal(web.deltas.hops, 1);
  assert.equal(typeof web.deltas.rttPct, 'number');
  assert.deepEqual(web.bgp, { prefix: '203.0.113.0/24', peer: { address: '10.0.0.3', asn: 65003 }, before: [65002, 65004], after: [65003, 65003, 65003, 65003, 65004] });
  assert.deepEqual(web.trace, { beforeAs: [65004], afterAs: [65004] }, 'private middle hops have no AS');
  assert.equal(web.routeChanges.length, 1);
  const rc = web.routeChanges[0];
  assert.deepEqual(Object.keys(rc).sort(), ['after', 'before', 'cause', 'kind', 'peer', 'prefix', 'router', 'source', 'table', 'time'], 'a GET /api/route-changes item');
  assert.deepEqual(
    { ...rc, before: rc.before.asPath },
    { time: rc.time, prefix: '203.0.113.0/24', source: 'bmp', router: 'r1', peer: { address: '10.0.0.2', asn: 65002 }, table: 'adj-rib-in-post', kind: 'withdraw', cause: 'withdraw', before: [65002, 65004], after: null },
  );
  const mail = all.find((v: { targetId: string }) => v.targetId === 'mail');
  assert.equal(mail.kind, 'same', 'mail kept its path');
  assert.equal(mail.at, new Date(h.clock.now() - SETTLE).toISOString(), 'no path change: the time of the BGP change');
  assert.deepEqual(mail.deltas, { rttMs: 0, rttPct: 0, hops: 0, asHops: 0, lossPts: 0 });

  const one = await app.inject({ url: `/api/verdicts/${web.id}` });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json(), web);
  assert.equal((await app.inject({ url: '/api/verdicts/999999' })).json().error.code, 'NOT_FOUND');
  assert.equal((await app.inject({ url: '/api/verdicts/abc' })).statusCode, 400);

  const q = async (qs: string) => (await app.inject({ url: `/api/verdicts?${qs}` })).json();
  assert.deepEqual((await q('target=web')).verdicts.map((v: { targetId: string }) => v.targetId), ['web']);
  assert.deepEqual((await q('kind=worse')).verdicts.map((v: { targetId: string }) => v.targetId), ['web']);
  assert.deepEqual((await q('kind=unreachable')).verdicts, []);
  assert.equal((await q('limit=1')).verdicts.length, 1);
  assert.deepEqual((await q('since=2099-01-01T00:00:00Z')).verdicts, []);
  assert.equal((await q('since=1h')).verdicts.length, 2);
  const bad = await app.inject({ url: '/api/verdicts?since=yesterday' });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /^since: expected an ISO-8601 time/);
  assert.equal((await app.inject({ url: '/api/verdicts?kind=awful' })).statusCode, 400);

  const doc = (await app.inject({ url: '/api/openapi.json' })).json();
  assert.ok(doc.paths['/api/verdicts'] && doc.paths['/api/verdicts/{id}'], 'both paths are documented');
  const props = doc.paths['/api/verdicts'].get.responses['200'].content['application/json'].schema.properties.verdicts.items.properties;
  assert.deepEqual(Object.keys(props).sort(), Object.keys(web).sort(), 'the schema names every field');

  // The same cause handed on again (a replay): stored once, same ids.
  assert.deepEqual(await store.verdicts.insertCause(cause), ids);
  assert.equal((await q('')).verdicts.length, 2);

  now += 2 * DAY;
  assert.equal(await store.pruneVerdicts(), 2, 'older than storage.retention');
  assert.deepEqual((await q('')).verdicts, []);
});
