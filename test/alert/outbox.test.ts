// The outbox: alerts are stored before they are sent, retried while SMTP or the webhook
// is down, delivered exactly once across a restart on the same SQLite file, one broken
// channel never holds back the other, and a delivery is given up after give_up_after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { tempDir, waitFor } from '../service/helpers.ts';
import { T0, single, worseMove } from './fixtures.ts';
import { config, startAlerter, webhook } from './helpers.ts';

const EMAIL = ['email.from=smoketrace@example.net', 'email.to=["noc@example.net"]', 'alert.retry_min=100ms', 'alert.retry_max=200ms'];

test('SMTP down while 3 alerts are raised, the alerter restarted on the same file, SMTP up: each alert arrives exactly once', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const dir = tempDir(t, 'outbox');
  const cfg = config(dir, [`email.smtp=${m.url}`, ...EMAIL], { alert: { rules: [{ name: 'held', persistence: '2/3', cooldown: '0s' }, { name: 'now' }] } });
  await m.stop();

  const first = await startAlerter(t, cfg);
  for (let i = 0; i < 3; i++) await first.alerter.handle(single(`c${i}`, 'worse', `t${i}`, `10.77.40.${i + 1}`));
  // Rule 'held' (2/3) has seen one verdict per target: nothing yet; its state must survive the restart.
  const stored = await waitFor('each of the 3 alerts tried and failed at least once', async () => {
    const list = await first.store.alerts.list({ limit: 10 });
    return list.length === 3 && list.every((a) => a.deliveries[0].attempts >= 1 && a.deliveries[0].state === 'pending') && list;
  });
  assert.deepEqual(stored.map((a) => a.rule), ['now', 'now', 'now']);
  assert.match(stored[0].deliveries[0].lastError ?? '', /ECONNREFUSED/, 'the reason is kept');
  await first.stop();

  await m.start();
  const second = await startAlerter(t, cfg);
  await waitFor('3 mails', () => m.mails.length >= 3);
  await second.alerter.idle();
  const ids = m.mails.map((x) => x.messageId);
  assert.equal(new Set(ids).size, 3, `3 distinct Message-IDs: ${ids.join(' ')}`);
  assert.equal(m.mails.length, 3, 'no duplicate');
  const after = await second.store.alerts.list({ limit: 10 });
  assert.ok(after.every((a) => a.deliveries[0].state === 'sent' && a.deliveries[0].sentAt !== null), JSON.stringify(after.map((a) => a.deliveries)));

  // The rules' state came back: rule 'held' fires on t0's second verdict (2/3 counts the
  // one from before the restart); rule 'now' is still in its 30 min cooldown for t0.
  const held = await second.alerter.handle(single('c9', 'worse', 't0', '10.77.40.1', {}, T0 + 60_000));
  assert.deepEqual(held.map((a) => a.rule), ['held'], 'persistence and cooldown state survived the restart');
  await second.alerter.idle();
  assert.equal(m.mails.length, 4);
});

test('webhook: one JSON POST with Slack text and the AlertJson; a webhook answering 500 does not hold back email, and its secret path is never shown', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const hook = await webhook(t);
  const cfg = config(tempDir(t, 'outbox'), [`email.smtp=${m.url}`, ...EMAIL, `webhook.url=${hook.url}`, 'alert.console_url=http://noc.example.net:8080']);
  const { alerter, store } = await startAlerter(t, cfg);

  const [a] = await alerter.handle(worseMove());
  await alerter.idle();
  assert.equal(hook.posts.length, 1, 'one POST');
  const body = hook.posts[0].body;
  assert.deepEqual(Object.keys(body).sort(), ['alert', 'text']);
  assert.match(body.text, /^\*\[smoketrace\] WORSE 3 targets via 10\.77\.40\.0\/24: AS path 65001 65002 65004 -&gt; 65001 65003 65004\*\n/);
  assert.ok(body.text.includes('<http://noc.example.net:8080/#/target/t1|Open t1 in the console>'), body.text);
  assert.equal(body.alert.id, a.id);
  assert.deepEqual(body.alert.targets.map((x: { targetId: string }) => x.targetId), ['t1', 't2', 't3']);
  assert.equal(body.alert.verdict, 'worse');
  assert.equal(hook.posts[0].headers['content-type'], 'application/json');
  assert.equal(m.mails.length, 1, 'and one email');

  hook.status = 500;
  const [b] = await alerter.handle(single('c2', 'unreachable', 't7', '10.77.40.7'));
  await waitFor('the email of the second alert', () => m.mails.length === 2);
  await alerter.idle();
  const got = (await store.alerts.get(b.id))!;
  const byChannel = Object.fromEntries(got.deliveries.map((d) => [d.channel, d]));
  assert.equal(byChannel.email.state, 'sent');
  assert.equal(byChannel.webhook.state, 'pending');
  assert.ok(byChannel.webhook.attempts >= 1, 'tried');
  assert.match(byChannel.webhook.lastError ?? '', /^POST http:\/\/127\.0\.0\.1:\d+\/\*\*\* answered HTTP 500$/);
  assert.ok(!JSON.stringify(got).includes('SECRETPATH'), 'the webhook path is never stored in an error');
  const health = alerter.health();
  assert.equal(health.state, 'degraded');
  assert.match(health.detail ?? '', /^webhook delivery failing \(retrying\): POST http:\/\/127\.0\.0\.1:\d+\/\*\*\* answered HTTP 500$/);

  hook.status = 200;
  await waitFor('the webhook retried and delivered', async () => (await store.alerts.get(b.id))!.deliveries.find((d) => d.channel === 'webhook')!.state === 'sent');
  assert.equal(hook.posts.length, 2);
  assert.equal(m.mails.length, 2, 'the email was not sent again');
  assert.equal(alerter.health().state, 'ok', 'healthy again once the webhook takes deliveries');
});

test('a delivery still failing after give_up_after is marked failed, and stays listed', async (t) => {
  let now = T0;
  const m = new Mailbox();
  await m.start();
  const url = `smtp://alerts:s3cret-Pw0rd@127.0.0.1:${m.port}`;
  await m.stop();
  const cfg = config(tempDir(t, 'outbox'), [`email.smtp=${url}`, ...EMAIL, 'alert.give_up_after=1h']);
  const { alerter, store } = await startAlerter(t, cfg, { now: () => now, timers: { setTimeout: () => 0, clearTimeout: () => {} } });
  const [a] = await alerter.handle(single('c1', 'worse'));
  await alerter.idle();
  assert.equal((await store.alerts.get(a.id))!.deliveries[0].state, 'pending');
  now += 30 * 60_000;
  alerter.kick();
  await alerter.idle();
  assert.equal((await store.alerts.get(a.id))!.deliveries[0].attempts, 2, 'retried at the due time');
  now += 31 * 60_000;
  alerter.kick();
  await alerter.idle();
  const d = (await store.alerts.get(a.id))!.deliveries[0];
  assert.equal(d.state, 'failed');
  assert.equal(d.attempts, 3);
  assert.equal((await store.alerts.list({ limit: 5, state: 'failed' })).length, 1, 'listed as failed');
  const seen = JSON.stringify([await store.alerts.list({ limit: 5 }), alerter.health()]);
  assert.match(seen, /ECONNREFUSED/, 'the reason is there');
  assert.ok(!seen.includes('s3cret-Pw0rd'), 'the SMTP password is never in an error, the API or health');
});

test('a webhook that never answers does not delay email', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const hook = await webhook(t);
  hook.status = 0;
  const { alerter } = await startAlerter(t, config(tempDir(t, 'outbox'), [`email.smtp=${m.url}`, ...EMAIL, `webhook.url=${hook.url}`]));
  const started = Date.now();
  await alerter.handle(single('c1', 'worse'));
  await alerter.handle(single('c2', 'worse', 't2', '10.77.40.2'));
  await waitFor('both emails', () => m.mails.length === 2, 5000);
  t.diagnostic(`2 emails in ${Date.now() - started} ms while the webhook hangs on its first POST`);
  assert.equal(hook.held, 1, 'the webhook lane is stuck on its first POST');
  // The receiver comes back: the held POST fails (503), the retries go through.
  hook.status = 200;
  hook.release();
  await waitFor('both webhook POSTs after the receiver came back', () => hook.posts.length === 2, 5000);
  await alerter.idle();
  assert.equal(m.mails.length, 2, 'no email was sent twice');
});

test('a channel removed from the config: its pending deliveries are marked failed at start (logged once), the other channel still delivers', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const dir = tempDir(t, 'outbox');
  // The webhook receiver is down and retries are an hour apart: its delivery stays pending.
  const hook = await webhook(t);
  await hook.close();
  const first = await startAlerter(t, config(dir, [`email.smtp=${m.url}`, ...EMAIL, `webhook.url=${hook.url}`, 'alert.retry_min=1h', 'alert.retry_max=2h']));
  const [a] = await first.alerter.handle(single('c1', 'worse'));
  await waitFor('email sent, webhook tried', async () => {
    const ds = (await first.store.alerts.get(a.id))!.deliveries;
    return ds.find((d) => d.channel === 'email')?.state === 'sent' && ds.find((d) => d.channel === 'webhook')!.attempts >= 1;
  });
  await first.alerter.idle();
  assert.equal((await first.store.alerts.get(a.id))!.deliveries.find((d) => d.channel === 'webhook')!.state, 'pending');
  await first.stop();

  // The operator drops [webhook] from the config and restarts.
  const lines: { msg: string; level: number; channels?: string[]; deliveries?: number }[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const second = await startAlerter(t, config(dir, [`email.smtp=${m.url}`, ...EMAIL]), { logger });
  const got = (await second.store.alerts.get(a.id))!;
  const hookDelivery = got.deliveries.find((d) => d.channel === 'webhook')!;
  assert.deepEqual({ state: hookDelivery.state, lastError: hookDelivery.lastError }, { state: 'failed', lastError: 'channel no longer configured' });
  assert.equal(got.deliveries.find((d) => d.channel === 'email')!.state, 'sent', 'the email delivery is untouched');
  assert.deepEqual((await second.store.alerts.list({ limit: 10, state: 'pending' })).map((x) => x.id), [], 'nothing left pending for ever');
  const warned = lines.filter((l) => /no longer configured/.test(l.msg));
  assert.equal(warned.length, 1, 'logged once');
  assert.deepEqual([warned[0].channels, warned[0].deliveries], [['webhook'], 1]);

  // Later alerts go out on email alone, with no webhook delivery at all.
  const [b] = await second.alerter.handle(single('c2', 'worse', 't2', '10.77.40.2'));
  await waitFor('the second email', () => m.mails.length === 2);
  await second.alerter.idle();
  assert.deepEqual((await second.store.alerts.get(b.id))!.deliveries.map((d) => [d.channel, d.state]), [['email', 'sent']]);
  // A restart with nothing orphaned logs nothing about it.
  await second.stop();
  const third = await startAlerter(t, config(dir, [`email.smtp=${m.url}`, ...EMAIL]), { logger });
  await third.alerter.idle();
  assert.equal(lines.filter((l) => /no longer configured/.test(l.msg)).length, 1, 'not logged again when there is nothing to mark');
});
