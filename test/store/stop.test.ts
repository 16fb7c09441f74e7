import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';

test('stop() lets writes already under way commit before closing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-stop-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'db.sqlite');
  const logger = createLogger({ level: 'silent' });
  const store = new Store({ path, version: 'test', logger });
  await store.start();
  const rows = (n: number, source: string) => Array.from({ length: n }, (_, i) => ({ source, startedAt: new Date(i), reason: 'r' }));
  const writes = [store.feedGaps.record(rows(2000, 'a')), store.feedGaps.record(rows(10, 'b')), store.feedGaps.record(rows(500, 'c'))];
  await store.stop();
  const ids = await Promise.all(writes);
  assert.deepEqual(ids.map((x) => x.length), [2000, 10, 500]);
  assert.equal(store.health().state, 'stopped');
  assert.throws(() => store.feedGaps, /store is not open/);

  const again = new Store({ path, version: 'test', logger });
  await again.start();
  t.after(() => again.stop());
  assert.equal(await again.feedGaps.count(), 2510);
});
