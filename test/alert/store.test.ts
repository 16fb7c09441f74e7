// store/alerts.ts on a real SQLite file: retention keeps what is still pending and drops
// the rest; the outbox queries see only due, pending rows of their channel.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import type { NewAlert } from '../../src/store/alerts.ts';
import { Store } from '../../src/store/store.ts';
import { tempDir } from '../service/helpers.ts';
import { T0 } from './fixtures.ts';

const DAY = 86_400_000;

function alert(causeId: string, channels: string[]): NewAlert {
  return {
    causeId,
    kind: 'alert',
    rule: 'default',
    verdict: 'worse',
    targets: [{ targetId: 't1', targetName: 't1', address: '10.77.40.1', prefix: '10.77.40.0/24', verdictId: null, kind: 'worse' }],
    channels,
    render: (id) => ({ subject: `alert ${id}`, summary: 's', message: { text: 't', html: 'h', slack: 'k' } }),
  };
}

test('retention drops old alerts whose deliveries are done and ended silences; a pending delivery is kept', async (t) => {
  let now = T0;
  const store = new Store({ path: join(tempDir(t, 'alert-store'), 'db.sqlite'), version: '0.0.0-test', logger: createLogger({ level: 'silent' }), retentionMs: 90 * DAY, now: () => now });
  await store.start();
  t.after(() => store.stop());
  const repo = store.alerts;
  const [sent, pending] = await repo.commit([alert('c1', ['email']), alert('c2', ['email', 'webhook'])], [{ rule: 'default', targetId: 't1', state: { recent: [{ causeId: 'c1', hit: true }] } }], T0);
  await repo.markSent(sent, 'email', 1, T0 + 1);
  await repo.markSent(pending, 'email', 1, T0 + 1);
  await repo.markRetry(pending, 'webhook', 1, T0 + 5000, 'HTTP 500');
  await repo.addSilence({ prefix: '10.77.40.0/24', target: null, start: T0, end: T0 + 3600_000, comment: 'x', createdAt: T0 });

  assert.deepEqual((await repo.due('webhook', T0 + 4999, false)).map((d) => d.alertId), [], 'not due yet');
  assert.deepEqual((await repo.due('webhook', T0 + 5000, false)).map((d) => d.alertId), [pending]);
  assert.deepEqual((await repo.due('webhook', T0, true)).map((d) => d.alertId), [pending], 'every pending one at a start');
  assert.deepEqual(await repo.due('email', T0 + 5000, true), [], 'sent ones are never due');
  assert.equal(await repo.nextDue('webhook'), T0 + 5000);

  now = T0 + 91 * DAY;
  assert.deepEqual(await store.pruneAlerts(), { alerts: 1, silences: 1 });
  assert.equal(await repo.get(sent), undefined, 'the delivered alert is gone');
  assert.equal((await repo.get(pending))?.deliveries.length, 2, 'the pending one stays, with its deliveries');
  assert.equal((await repo.states(['t1'])).size, 0, 'stale rule state is dropped');
});
