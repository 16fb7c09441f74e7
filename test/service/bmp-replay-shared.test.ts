// A real collector's RIB dump (RouteViews/RIS, 35 peers, ~270,000 entries; from
// ../shared/fixtures) replayed over BMP by the real `smoketrace replay` process: every
// peer comes up and reaches End-of-RIB with exactly its entries, and the API's routes for
// a spread of prefixes equal what the MRT file says, peer by peer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needFixture } from '../helpers/requirements.ts';
import { comparable, expectedComparable, mrtSays, startReplay, startService, waitFor } from './helpers.ts';

test('a shared RIB dump replayed over BMP: every peer in sync, routes equal the MRT peer by peer', { timeout: 60_000 }, async (t) => {
  const file = needFixture(t, 'pyasn/rib.20140523.0600_firstMB.bz2');
  if (!file) return;
  const all = await mrtSays([file]);
  const perPeer = new Map<string, number>();
  let total = 0;
  for (const m of all.values()) {
    for (const e of m.values()) {
      perPeer.set(e.peer, (perPeer.get(e.peer) ?? 0) + 1);
      total++;
    }
  }
  assert.ok(total > 250_000, `the fixture has ${total} routes`);

  const s = await startService(t);
  const replay = startReplay(t, [file], s.bmpPort);
  await replay.sent;
  const router = await waitFor(
    'every route in the RIB',
    async () => {
      const r = await s.get('/api/routers');
      const x = r.body.routers[0];
      return x && x.routes === total && x.peers.every((p: { endOfRib: boolean }) => p.endOfRib) ? x : undefined;
    },
    40_000,
  );
  assert.equal(router.info.sysName, 'smoketrace-replay');
  assert.equal(router.decodeErrors, 0);
  assert.deepEqual(
    Object.fromEntries(router.peers.map((p: { peer: { address: string }; routes: number }) => [p.peer.address, p.routes])),
    Object.fromEntries(perPeer),
  );
  assert.ok(router.peers.every((p: { table: string; state: string }) => p.table === 'adj-rib-in-post' && p.state === 'up'), 'every peer should be adj-rib-in-post and up');

  // A spread of prefixes: first, last, every 500th, and the one with the most peers.
  const prefixes = [...all.keys()];
  const picks = new Set(prefixes.filter((_, i) => i % 500 === 0));
  picks.add(prefixes[prefixes.length - 1]);
  picks.add(prefixes.reduce((best, p) => (all.get(p)!.size > all.get(best)!.size ? p : best)));
  for (const prefix of picks) {
    const r = await s.get(`/api/routes?prefix=${encodeURIComponent(prefix)}&exact=true`);
    assert.equal(r.status, 200);
    assert.deepEqual(comparable(r.body.routes), expectedComparable(all.get(prefix)), prefix);
  }
  const health = await s.get('/api/health');
  assert.equal(health.body.components.rib.counters.routes, total);
  replay.proc.kill('SIGTERM');
  assert.equal((await replay.exited).code, 0, replay.output());
});
