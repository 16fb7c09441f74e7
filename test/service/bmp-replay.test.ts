// The service end to end over BMP: the real `smoketrace replay` process sends the
// project's FRR MRT fixtures to the service's collector on 127.0.0.1, and the API must
// show what the MRT says, peer by peer; a disconnect withdraws everything, a reconnect
// resynchronises without stale routes; monitored prefixes' changes and churn are stored.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/requirements.ts';
import { comparable, expectedComparable, mrtSays, startReplay, startService, waitFor } from './helpers.ts';

const RIB = join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt');
const UPDATES = join(repoRoot, 'fixtures', 'mrt', 'frr-updates.mrt');
// rib.monitor plus a target: monitored are the prefixes overlapping 198.51.100.0/24 or covering 203.0.113.70.
const MONITORED = ['198.51.100.0/25', '198.51.100.128/25', '203.0.113.0/24', '203.0.113.64/26'];

test('replayed FRR MRT over BMP: routes, routers, lookup, stored changes, churn, disconnect and resync', async (t) => {
  const s = await startService(t, ['rib.monitor=["198.51.100.0/24"]', 'probe.allowed=["203.0.113.64/26"]'], {}, { targets: [{ address: '203.0.113.70' }] });
  const ribSays = await mrtSays([RIB]);
  const ribRoutes = [...ribSays.values()].reduce((n, m) => n + m.size, 0);
  assert.equal(ribRoutes, 12, 'the fixture has 12 RIB entries');

  // 1. The RIB dump, held open.
  const first = startReplay(t, [RIB], s.bmpPort);
  await first.sent;
  const routers = await waitFor('the replay router with both peers in sync', async () => {
    const r = await s.get('/api/routers');
    const router = r.body.routers.find((x: { router: string }) => x.router === '127.0.0.1');
    return router && router.routes === ribRoutes && router.peers.every((p: { endOfRib: boolean }) => p.endOfRib) ? r.body : undefined;
  });
  assert.equal(routers.routers.length, 1);
  const router = routers.routers[0];
  assert.equal(router.source, 'bmp');
  assert.equal(router.state, 'up');
  assert.equal(router.info.sysName, 'smoketrace-replay');
  assert.equal(router.decodeErrors, 0);
  assert.equal(typeof router.connection.remotePort, 'number');
  assert.deepEqual(
    router.peers.map((p: { peer: { address: string; asn: number }; table: string; state: string; routes: number }) => [p.peer.address, p.peer.asn, p.table, p.state, p.routes]),
    [
      ['10.99.0.1', 65101, 'adj-rib-in-post', 'up', 5],
      ['fd99::1', 65101, 'adj-rib-in-post', 'up', 7],
    ],
  );

  // /api/routes equals the MRT, prefix by prefix and peer by peer.
  for (const [prefix, routes] of ribSays) {
    const r = await s.get(`/api/routes?prefix=${encodeURIComponent(prefix)}&exact=true`);
    assert.equal(r.status, 200);
    assert.equal(r.body.prefix, prefix);
    assert.deepEqual(comparable(r.body.routes), expectedComparable(routes), prefix);
  }
  // A route's JSON, field by field (absent LOCAL_PREF is null).
  const one = (await s.get('/api/routes?prefix=198.51.100.0/25&exact=true')).body.routes.find((x: { peer: { address: string } }) => x.peer.address === '10.99.0.1');
  assert.deepEqual(Object.keys(one), ['router', 'peer', 'table', 'asPath', 'nextHop', 'origin', 'med', 'localPref', 'communities', 'largeCommunities', 'since']);
  assert.deepEqual({ ...one, since: undefined }, {
    router: '127.0.0.1',
    peer: { address: '10.99.0.1', asn: 65101 },
    table: 'adj-rib-in-post',
    asPath: [65101, 65101, 65101],
    nextHop: '10.99.0.1',
    origin: 'igp',
    med: 50,
    localPref: null,
    communities: ['65101:100', '65101:200', '65535:65281'],
    largeCommunities: ['65101:1:2'],
    since: undefined,
  });
  assert.match(one.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  // Longest match: a /32 inside 203.0.113.64/26 answers with the /26's routes.
  const lm = await s.get('/api/routes?prefix=203.0.113.70/32');
  assert.equal(lm.body.prefix, '203.0.113.64/26');
  assert.deepEqual(comparable(lm.body.routes), expectedComparable(ribSays.get('203.0.113.64/26')));
  assert.deepEqual((await s.get('/api/routes?prefix=203.0.113.70/32&exact=true')).body, { query: '203.0.113.70/32', prefix: null, exact: true, routes: [] });

  // /api/lookup: longest-prefix match, origin AS.
  const l1 = await s.get('/api/lookup?ip=203.0.113.70');
  assert.equal(l1.body.prefix, '203.0.113.64/26');
  assert.deepEqual(l1.body.origins, [65101]);
  assert.equal(l1.body.routes.length, 2);
  assert.equal((await s.get('/api/lookup?ip=203.0.113.200')).body.prefix, '203.0.113.0/24');
  assert.equal((await s.get('/api/lookup?ip=2001:db8:100::1')).body.prefix, '2001:db8:100::/48');
  assert.deepEqual((await s.get('/api/lookup?ip=192.0.2.1')).body, { ip: '192.0.2.1', prefix: null, origins: [], routes: [] });

  // Stored: only monitored prefixes' changes; a table transfer is no churn.
  await s.service.ingest.flush();
  const stored = await s.service.store.routeChanges.list({ since: 0, limit: 10_000 });
  assert.deepEqual([...new Set(stored.map((c) => c.prefix))].sort(), MONITORED);
  assert.ok(stored.every((c) => c.kind === 'new' && c.cause === 'update' && c.before === null && c.after !== null), 'stored changes should all be new updates with no before and an after');
  assert.equal(stored.length, MONITORED.reduce((n, p) => n + (ribSays.get(p)?.size ?? 0), 0));
  const api = await s.get('/api/route-changes?prefix=198.51.100.0/25&since=2000-01-01T00:00:00Z');
  assert.equal(api.status, 200);
  assert.equal(api.body.changes.length, 2);
  assert.deepEqual(api.body.changes[0].after.communities.length > 0 || api.body.changes[1].after.communities.length > 0, true);
  assert.deepEqual(await s.service.store.churn.list(), []);

  // 2. The router goes away without a word (process killed): every route is withdrawn.
  first.proc.kill('SIGKILL');
  await waitFor('the router down with no routes', async () => {
    const r = await s.get('/api/routers');
    return r.body.routers[0].state === 'down' && r.body.routers[0].routes === 0 && r.body.routers[0].connection === null;
  });
  for (const prefix of ribSays.keys()) {
    assert.deepEqual((await s.get(`/api/routes?prefix=${encodeURIComponent(prefix)}`)).body.routes, [], prefix);
  }
  await s.service.ingest.flush();
  const gone = await s.service.store.routeChanges.list({ since: 0, limit: 10_000 });
  const withdrawals = gone.filter((c) => c.kind === 'withdraw');
  assert.equal(withdrawals.length, stored.length, 'each stored route is withdrawn again');
  assert.ok(withdrawals.every((c) => c.cause === 'router-down' && c.after === null && c.before !== null && /^connection-(closed|error)/.test(c.reason ?? '')), 'router-down should withdraw every route with reason connection-closed/error');

  // 3. It reconnects with another table (the updates): the API shows exactly that, nothing stale.
  const second = startReplay(t, [UPDATES], s.bmpPort);
  await second.sent;
  const updSays = await mrtSays([UPDATES]);
  const updRoutes = [...updSays.values()].reduce((n, m) => n + m.size, 0);
  await waitFor('the updates applied', async () => {
    const r = await s.get('/api/routers');
    const x = r.body.routers[0];
    return x.state === 'up' && x.routes === updRoutes && x.connection !== null;
  });
  for (const prefix of new Set([...ribSays.keys(), ...updSays.keys()])) {
    const r = await s.get(`/api/routes?prefix=${encodeURIComponent(prefix)}&exact=true`);
    assert.deepEqual(comparable(r.body.routes), expectedComparable(updSays.get(prefix)), prefix);
  }

  // Churn: every effective announcement and withdrawal of the updates, per prefix.
  await s.service.ingest.flush();
  const churn = new Map<string, { a: number; w: number }>();
  for (const c of await s.service.store.churn.list()) {
    const e = churn.get(c.prefix) ?? { a: 0, w: 0 };
    churn.set(c.prefix, { a: e.a + c.announcements, w: e.w + c.withdrawals });
  }
  const expected = await effectiveChanges(UPDATES);
  assert.deepEqual(Object.fromEntries([...churn].sort()), Object.fromEntries([...expected].sort()));
  assert.ok([...churn.values()].some((c) => c.w > 0), 'the updates file withdraws something');

  // 4. A clean end: SIGTERM makes the replay send Termination; the routes go.
  second.proc.kill('SIGTERM');
  const done = await second.exited;
  assert.equal(done.code, 0, second.output());
  assert.match(second.output(), /replay: 1 file\(s\), \d+ records -> \d+ BMP messages to 127\.0\.0\.1:\d+ \(2 peer up, 0 peer down, \d+ route monitoring, 4 end-of-rib\); 2 peers/);
  await waitFor('the router down after Termination', async () => {
    const r = await s.get('/api/routers');
    return r.body.routers[0].state === 'down' && r.body.routers[0].routes === 0;
  });
  const health = await s.get('/api/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.components.bmp.state, 'ok');
  assert.equal(health.body.components.bmp.counters.routersConnected, 0);
  assert.equal(health.body.components.bmp.counters.decodeErrors, 0);
  assert.equal(health.body.components.rib.counters.routes, 0);
  assert.ok(health.body.components.rib.counters.events > 0, 'the RIB counted no events');
});

/** Per prefix: announcements that changed a route (new or other attributes) and withdrawals of a route that was there. */
async function effectiveChanges(file: string): Promise<Map<string, { a: number; w: number }>> {
  const { mrtFileRawBatches } = await import('../../src/feeds/mrt-file.ts');
  const { mrtRouteEvents } = await import('../../src/codec/mrt/route-events.ts');
  const { formatPrefix } = await import('../../src/model/prefix.ts');
  const { formatAddress } = await import('../../src/model/address.ts');
  const held = new Map<string, string>();
  const out = new Map<string, { a: number; w: number }>();
  const conv = mrtRouteEvents({ router: 'x', received: () => 0 });
  for await (const b of mrtFileRawBatches(file)) {
    for (const raw of b.records) {
      for (const e of conv.convertRaw(raw)) {
        const p = formatPrefix(e.prefix);
        const k = `${p} ${formatAddress(e.peer.address)} ${e.table}`;
        const c = out.get(p) ?? { a: 0, w: 0 };
        if (e.kind === 'announce') {
          const v = JSON.stringify(e.attrs);
          if (held.get(k) !== v) c.a++;
          held.set(k, v);
        } else if (held.delete(k)) c.w++;
        out.set(p, c);
      }
    }
  }
  for (const [p, c] of out) if (c.a === 0 && c.w === 0) out.delete(p);
  return out;
}
