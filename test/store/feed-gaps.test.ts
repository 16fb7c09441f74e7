import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';

test('feed gaps round-trip through the repository and close once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-gaps-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new Store({ path: join(dir, 'db.sqlite'), version: '0.1.0', logger: createLogger({ level: 'silent' }) });
  await store.start();
  t.after(() => store.stop());
  const [ris, bmp] = await store.feedGaps.record([
    { source: 'ris', startedAt: new Date(1000), reason: 'websocket closed' },
    { source: 'bmp:192.0.2.1', startedAt: new Date(2000), endedAt: new Date(3000), reason: 'peer down' },
  ]);
  assert.equal(await store.feedGaps.close(ris, new Date(5000)), true);
  assert.equal(await store.feedGaps.close(ris, new Date(6000)), false, 'a closed gap stays closed');
  assert.deepEqual(await store.feedGaps.list({ source: 'ris' }), [
    { id: ris, source: 'ris', startedAt: new Date(1000), endedAt: new Date(5000), reason: 'websocket closed' },
  ]);
  assert.deepEqual((await store.feedGaps.list()).map((g) => g.id), [ris, bmp]);
  await assert.rejects(
    store.feedGaps.record([{ source: 'x', startedAt: new Date(10), endedAt: new Date(5), reason: 'backwards' }]),
    /CHECK constraint failed/,
  );
  assert.equal(await store.feedGaps.count(), 2);
  assert.deepEqual(store.integrityCheck(), ['ok']);
});
