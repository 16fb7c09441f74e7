// buildAutoTargets wires what service.ts gives it: storage.retention reaches the
// component (a stored target expired longer ago is forgotten at start) and the traffic
// command runs through the CommandRunner passed in, not a runner of targets/ own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRaw } from '../../../src/config/load.ts';
import { ManualClock } from '../../../src/probe/clock.ts';
import { Rib } from '../../../src/rib/rib.ts';
import { Store } from '../../../src/store/store.ts';
import { buildAutoTargets } from '../../../src/targets/auto/build.ts';
import type { CommandRunner } from '../../../src/targets/auto/sources.ts';
import type { AutoTarget } from '../../../src/targets/auto/types.ts';
import { DAY, logger } from './helpers.ts';

test('buildAutoTargets: storage.retention and the traffic command runner reach the component', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = fromRaw(
    {
      storage: { retention: '2d' },
      probe: { allowed: ['198.51.100.0/24'] },
      auto_targets: { enabled: true, churn: { enabled: false }, traffic: { command: ['nfdump', '-R', '/var/flows', '-o', 'csv'], top: 5 } },
    },
    { env: {} },
    { path: 'test', how: 'given' },
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  const clock = new ManualClock();
  const store = new Store({ path: join(dir, 'db.sqlite'), version: 'test', logger });
  await store.start();
  t.after(() => store.stop());
  const row = (prefix: string, expiredAt: number): AutoTarget => ({
    id: `auto-${prefix}`,
    prefix,
    address: prefix.replace(/0\/\d+$/, '1'),
    source: 'churn',
    reason: 'top 1 by churn: 9 updates in 24h',
    score: 9,
    state: 'expired',
    pinned: false,
    createdAt: expiredAt - DAY,
    updatedAt: expiredAt,
    lastRankedAt: expiredAt - DAY,
    expiredAt,
    expiredWhy: 'in no top list for 6h (expire_after 6h)',
  });
  await store.autoTargets.put([row('198.51.100.0/25', clock.now() - 3 * DAY), row('198.51.100.128/25', clock.now() - DAY)]);
  const ran: (readonly string[])[] = [];
  const run: CommandRunner = async (argv) => {
    ran.push(argv);
    return { stdout: 'dst_ip,bytes\n198.51.100.7,1000\n' };
  };
  const a = buildAutoTargets({
    config: r.config,
    prober: { scheduler: { add: async () => ({ ok: true }), get: () => undefined, list: () => [] }, remove: async () => undefined },
    store: store.autoTargets,
    busiest: async () => [],
    rib: new Rib(),
    verify: async () => false,
    run,
    logger,
    now: () => clock.now(),
  });
  await a.start();
  t.after(() => a.stop());
  assert.deepEqual(
    (await store.autoTargets.list()).map((x) => x.prefix),
    ['198.51.100.128/25'],
    'the one expired 3 days ago is forgotten (retention 2d); the one from yesterday stays',
  );
  await a.suggestions();
  assert.deepEqual(ran, [['nfdump', '-R', '/var/flows', '-o', 'csv']]);
  assert.equal(a.health().detail, undefined, 'the traffic source read without a problem');
});
