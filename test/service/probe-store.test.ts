// The prober's tables: batched writes, reads by target and time, path state replaced per
// target, and retention of traces and path changes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import type { PathChange } from '../../src/model/path-change.ts';
import type { Trace } from '../../src/model/trace.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from './helpers.ts';

const DAY = 86_400_000;
const trace = (start: number): Trace => ({
  target: '198.51.100.1',
  backend: 'scamper',
  method: 'icmp-paris',
  start: start + 0.25,
  end: start + 40.5,
  reached: true,
  hops: [{ ttl: 1, sent: 1, responders: [{ address: '198.51.100.1', rtts: [5.7], received: 1, asn: 65004 }] }],
});

test('batched writes, reads by target and time, state per target, retention', async (t) => {
  let now = 100 * DAY;
  const store = new Store({ path: join(tempDir(t, 'probe-store'), 'db.sqlite'), version: 't', logger: createLogger({ level: 'silent' }), retentionMs: DAY, now: () => now });
  await store.start();
  t.after(() => store.stop());
  const p = store.probe;
  const change = { target: '198.51.100.1', kind: 'loss', at: now - 10, since: now - 20, reasons: ['x'] } as unknown as PathChange;
  await p.write({
    traces: [0, 1, 2].map((i) => ({ targetId: 'a', trace: trace(now - 3000 + i * 1000), reason: 'scheduled' })).concat([{ targetId: 'b', trace: trace(now), reason: 'trigger' }]),
    changes: [{ targetId: 'a', change }],
    states: [
      { targetId: 'a', address: '198.51.100.1', state: { n: 1 } },
      { targetId: 'a', address: '198.51.100.1', state: { n: 2 } },
    ],
    now: now - 2 * DAY,
  });
  assert.equal((await p.traces('a')).length, 3, 'a has 3');
  assert.equal((await p.traces('a', { from: now - 2000 })).length, 2, 'from');
  assert.equal((await p.traces('a', { from: now - 3000, to: now - 2500 })).length, 1, 'to');
  assert.equal((await p.traces('a'))[0].trace.start, now - 3000 + 0.25, 'the JSON keeps fractional ms');
  assert.deepEqual((await p.states()).map((s) => s.state), [{ n: 2 }], 'the last state wins');
  assert.equal((await p.pathChanges('a'))[0].change.kind, 'loss');

  await p.write({ traces: [{ targetId: 'a', trace: trace(now), reason: 'scheduled' }], changes: [], states: [], now });
  assert.deepEqual(await store.pruneProbe(), { traces: 4, pathChanges: 1 }, 'stored 2 days ago: gone; stored now: kept');
  assert.equal((await p.traces('a')).length, 1);
  assert.equal((await p.states()).length, 1, 'state is not subject to retention');
  now += 1;
});

test('API targets: put, list, delete (with its path state)', async (t) => {
  const store = new Store({ path: join(tempDir(t, 'probe-store'), 'db.sqlite'), version: 't', logger: createLogger({ level: 'silent' }) });
  await store.start();
  t.after(() => store.stop());
  const p = store.probe;
  await p.putTarget({ id: 'web', address: 'web.example', intervalMs: 60_000, createdAt: 1 });
  await p.putTarget({ id: 'x', address: '198.51.100.9', backend: 'scamper', createdAt: 2 });
  await p.write({ traces: [], changes: [], states: [{ targetId: 'web', address: '198.51.100.1', state: {} }], now: 5 });
  assert.deepEqual(await p.targets(), [
    { id: 'web', address: 'web.example', intervalMs: 60_000, createdAt: 1 },
    { id: 'x', address: '198.51.100.9', backend: 'scamper', createdAt: 2 },
  ]);
  assert.equal(await p.deleteTarget('web'), true);
  assert.equal(await p.deleteTarget('web'), false);
  assert.deepEqual((await p.targets()).map((x) => x.id), ['x']);
  assert.deepEqual(await p.states(), [], 'its path state went with it');
});
