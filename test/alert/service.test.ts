// The Alerter inside a real Service: a component started after the store (in
// /api/health), alerts and silences over HTTP with the token, and what was not sent when
// the service stopped goes out when it starts again on the same database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mailbox } from '../helpers/mailbox.ts';
import { startService, tempDir } from '../service/helpers.ts';
import { join } from 'node:path';
import { single, worseMove } from './fixtures.ts';

const TOKEN = 'test-token-0123456789abcdef';

test('Service: the alerter is a component; alerts and silences over HTTP; pending mail goes out after a restart', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const db = join(tempDir(t, 'alert-service'), 'db.sqlite');
  const sets = [`api.token=${TOKEN}`, 'bmp.enabled=false', `storage.path=${db}`, `email.smtp=${m.url}`, 'email.from=smoketrace@example.net', 'email.to=["noc@example.net"]', 'alert.retry_min=100ms', 'alert.retry_max=200ms'];
  const s1 = await startService(t, sets);
  const health = await s1.get('/api/health');
  assert.equal(health.body.components.alerter?.state, 'ok', JSON.stringify(health.body.components));

  await s1.service.alerter.handle(worseMove());
  await s1.service.alerter.idle();
  assert.equal(m.mails.length, 1);
  const list = await s1.get('/api/alerts');
  assert.equal(list.status, 200);
  assert.equal(list.body.alerts[0].targets.length, 3);
  assert.equal(list.body.alerts[0].deliveries[0].state, 'sent');

  const post = await fetch(`${s1.url}/api/silences`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ target: 't7', end: '1h', comment: 'maintenance' }),
  });
  assert.equal(post.status, 201);
  assert.equal((await s1.service.alerter.handle(single('c7', 'worse', 't7', '10.77.40.7'))).length, 0, 'silenced through the API');

  // SMTP down: the alert is stored and pending when the service stops.
  await m.stop();
  const [pending] = await s1.service.alerter.handle(single('c8', 'unreachable', 't8', '10.77.40.8'));
  await s1.service.alerter.idle();
  await s1.service.stop();

  await m.start();
  const s2 = await startService(t, sets);
  const mail = await m.waitFor((x) => x.subject.startsWith('[smoketrace] UNREACHABLE t8'), 10_000);
  await s2.service.alerter.idle();
  assert.equal(m.mails.length, 2, 'sent once, after the restart');
  assert.ok(mail.text.includes(`Alert #${pending.id}`), 'the same alert');
  assert.equal((await s2.get(`/api/alerts/${pending.id}`)).body.deliveries[0].state, 'sent');
});
