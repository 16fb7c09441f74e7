// The ingest's writes: a batch is one transaction (route changes, churn increments that
// add up across batches, feed gaps), and the retention prune deletes only what was stored
// before storage.retention, by the injected clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { parseAddress } from '../../src/model/address.ts';
import type { RouteChange } from '../../src/model/route-change.ts';
import { routeChangeRow } from '../../src/store/route-changes.ts';
import { Store } from '../../src/store/store.ts';

const DAY = 86_400_000;

function change(prefix: string, time: number): RouteChange {
  return {
    kind: 'new',
    cause: 'update',
    source: 'bmp',
    router: '192.0.2.1',
    peer: { address: parseAddress('10.0.0.2')!, asn: 65002 },
    table: 'adj-rib-in-pre',
    prefix: parsePrefix(prefix)!,
    after: { asPath: [65002, [64512, 64513]], nextHop: parseAddress('10.0.0.2')!, origin: 'igp', communities: ['65002:100'], largeCommunities: [] },
    time,
  };
}

test('batches add up, and retention prunes only what is older than storage.retention', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-ingest-writes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let now = 100 * DAY;
  const store = new Store({ path: join(dir, 'db.sqlite'), version: 'test', logger: createLogger({ level: 'silent' }), retentionMs: 7 * DAY, now: () => now });
  await store.start();
  t.after(() => store.stop());

  const old = now - 10 * DAY;
  await store.ingest.write({
    changes: [routeChangeRow(change('198.51.100.0/24', 1000), old)],
    churn: [{ prefix: '198.51.100.0/24', bucket: 0, announcements: 2, withdrawals: 1 }],
    gaps: [{ source: 'ris-live', startedAt: new Date(old), endedAt: new Date(old + 5000), reason: 'feed-disconnected' }],
    now: old,
  });
  await store.ingest.write({
    changes: [routeChangeRow(change('203.0.113.0/24', 2000), now)],
    churn: [
      { prefix: '198.51.100.0/24', bucket: 0, announcements: 3, withdrawals: 0 },
      { prefix: '203.0.113.0/24', bucket: 3_600_000, announcements: 1, withdrawals: 0 },
    ],
    gaps: [],
    now,
  });
  assert.deepEqual(await store.churn.list(), [
    { prefix: '198.51.100.0/24', bucket: 0, announcements: 5, withdrawals: 1 },
    { prefix: '203.0.113.0/24', bucket: 3_600_000, announcements: 1, withdrawals: 0 },
  ]);
  const stored = await store.routeChanges.list({ since: 0 });
  assert.equal(stored.length, 2);
  assert.deepEqual(stored[0].after, {
    asPath: [65002, [64512, 64513]],
    nextHop: '10.0.0.2',
    origin: 'igp',
    med: null,
    localPref: null,
    communities: ['65002:100'],
    largeCommunities: [],
  });
  assert.equal(stored[0].before, null);

  // The churn row of 198.51.100.0/24 was counted again just now: it stays.
  now += 1000;
  assert.deepEqual(await store.prune(), { routeChanges: 1, churn: 0, feedGaps: 1 });
  assert.deepEqual((await store.routeChanges.list({ since: 0 })).map((c) => c.prefix), ['203.0.113.0/24']);
  now += 8 * DAY;
  assert.deepEqual(await store.prune(), { routeChanges: 1, churn: 2, feedGaps: 0 });
});

test('a batch that fails leaves nothing of itself behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-ingest-writes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new Store({ path: join(dir, 'db.sqlite'), version: 'test', logger: createLogger({ level: 'silent' }) });
  await store.start();
  t.after(() => store.stop());
  // The route changes go in first; the churn row after them breaks a constraint.
  const bad = { prefix: null as unknown as string, bucket: 0, announcements: 1, withdrawals: 0 };
  await assert.rejects(store.ingest.write({ changes: [routeChangeRow(change('203.0.113.0/24', 1), 1)], churn: [bad], gaps: [], now: 1 }), /NOT NULL/);
  assert.equal(await store.routeChanges.count(), 0);
  assert.deepEqual(await store.churn.list(), []);
});
