// End to end in one Service, no lab: BMP over loopback TCP -> RIB -> correlator (a
// scripted trace backend, no packets) -> cause -> Alerter -> a real SMTP server in this
// process. A withdrawal that moves the target onto a slower path is one email, with the
// prefix, both AS paths and both traces, and one 'alert' event on the live hub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveEvent } from '../../src/live.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { ScriptedBackend } from '../service/probe-helpers.ts';
import { startService, waitFor } from '../service/helpers.ts';
import { twoPeerRouter } from '../service/bmp-router.ts';

test('service: a BMP withdrawal moving a target to a slower path -> one WORSE email with both AS paths and both traces, and a live alert', async (t) => {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const backend = new ScriptedBackend({ path: ['10.77.1.1', '10.77.12.2'], lossPct: 0, rttMs: 20 });
  const s = await startService(
    t,
    [
      'probe.allowed=203.0.113.0/24',
      'probe.interval=1h',
      'probe.cooldown=1s',
      'correlate.settle=1s',
      `email.smtp=${m.url}`,
      'email.from=smoketrace@example.net',
      'email.to=["noc@example.net"]',
      'alert.console_url=http://noc.example.net:8080',
    ],
    { backends: { mtr: backend }, probeFlushEveryMs: 50 },
    { targets: [{ address: '203.0.113.10', name: 'web' }] },
  );
  const alerts: LiveEvent[] = [];
  s.service.live.subscribe((e) => {
    if (e.type === 'alert') alerts.push(e);
  });
  for (let i = 0; i < 3; i++) await s.service.prober.requestTrace('web', 'learn', { force: true });

  const router = await twoPeerRouter(t, s);
  await new Promise((r) => setTimeout(r, 1100)); // past probe.cooldown since the learning traces
  assert.equal(m.mails.length, 0, 'the initial table sends nothing');

  backend.script.path = ['10.77.1.1', '10.77.13.3', '10.77.34.4'];
  backend.script.rttMs = 85;
  const sentAt = Date.now();
  router.withdrawBest();
  const mail = await m.waitFor((x) => x.subject.includes('WORSE'), 15_000);
  const took = mail.at - sentAt;
  t.diagnostic(`BGP withdrawal sent -> alert email received: ${took} ms (settle 1 s, scripted traces)`);

  assert.match(mail.subject, /^\[smoketrace\] WORSE web 203\.0\.113\.10 \(203\.0\.113\.0\/24\): \+65 ms/);
  for (const want of [
    'Route in use for 203.0.113.0/24: 65002 65004 -> 65003 65005 65004',
    'Prefix 203.0.113.0/24: withdrawn by peer 10.0.0.2 AS65002: no route left from that peer',
    'AS path before: 65002 65004',
    '2. AS??? 10.77.12.2 0.0% 2.0',
    '3. AS??? 203.0.113.10 0.0% 20.0',
    '2. AS??? 10.77.13.3 0.0% 2.0',
    '4. AS65004 203.0.113.10 0.0% 85.0',
    'http://noc.example.net:8080/#/target/web',
  ]) {
    assert.ok(mail.text.includes(want), `"${want}" in:\n${mail.text}`);
  }
  assert.ok(took < 10_000, `BGP update to email in ${took} ms`);
  await s.service.alerter.idle();
  assert.equal(m.mails.length, 1, 'one email');
  const list = await s.get('/api/alerts');
  assert.equal(list.body.alerts.length, 1);
  assert.equal(list.body.alerts[0].targets[0].verdictId !== null, true, 'the alert names the stored verdict');
  await waitFor('the live alert event', () => alerts.length > 0);
  assert.equal((alerts[0].data as { id: number }).id, list.body.alerts[0].id, 'the live event is the API JSON');
});
