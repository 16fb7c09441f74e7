// decide.test.ts drives the pure decision through a harness that carries state the way
// the store does. These run the same sequences through the real thing - Alerter,
// AlertRepository.commit on a SQLite file, the outbox, a real SMTP server - so the
// firing/alertId merge and the "already alerted" bookkeeping are the store's own, and the
// assertions are on what the operator receives: the alerts the API lists and the mails.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { AlertJson } from '../../src/alert/json.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { tempDir } from '../service/helpers.ts';
import { T0, single, worseMove } from './fixtures.ts';
import { config, startAlerter } from './helpers.ts';

const MIN = 60_000;

async function setup(t: TestContext, raw: Record<string, unknown> = {}) {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  let now = T0;
  const cfg = config(tempDir(t, 'alert-seq'), [`email.smtp=${m.url}`, 'email.from=smoketrace@example.net', 'email.to=["noc@example.net"]'], raw);
  const run = await startAlerter(t, cfg, { now: () => now });
  const at = (ms: number) => {
    now = ms;
  };
  /** Hands a cause in at time `ms`; what alerting made of it, as "kind:target,target". */
  const feed = async (cause: Parameters<typeof run.alerter.handle>[0], ms: number): Promise<string[]> => {
    at(ms);
    const made: AlertJson[] = await run.alerter.handle(cause);
    await run.alerter.idle();
    return made.map((a) => `${a.kind}:${a.targets.map((x) => x.targetId).join(',')}`);
  };
  const subjects = () => m.mails.map((x) => x.subject.replace(/^\[smoketrace\] (\w+) .*$/, '$1'));
  return { ...run, mailbox: m, feed, subjects };
}

test('real store: one cause moving 3 targets is one alert and one mail; the same cause again alerts nobody, a new target of it does', async (t) => {
  const s = await setup(t, { alert: { rules: [{ name: 'default', cooldown: '0s' }] } });
  assert.deepEqual(await s.feed(worseMove('c', ['10.77.40.1']), T0), ['alert:t1']);
  assert.deepEqual(await s.feed(worseMove('c', ['10.77.40.1']), T0 + 1000), [], 're-emitted: already sent');
  assert.deepEqual(await s.feed(worseMove('c', ['10.77.40.1', '10.77.40.2']), T0 + 2000), ['alert:t2'], 'only the new target');
  assert.equal(s.mailbox.mails.length, 2);
  assert.equal((await s.store.alerts.list({ limit: 10 })).length, 2, 'the API lists the same 2 alerts');
});

test('real store: persistence 2/3 holds the first worse back, alerts on the second; a re-emitted cause counts once; a hit falling out of the window does not count', async (t) => {
  const s = await setup(t, { alert: { rules: [{ name: 'flappy', persistence: '2/3', cooldown: '0s' }] } });
  assert.deepEqual(await s.feed(single('c1', 'worse'), T0), [], 'first worse held back');
  assert.deepEqual(await s.feed(single('c1', 'worse'), T0 + 1), [], 'the same cause again is not a second verdict');
  assert.deepEqual(await s.feed(single('c2', 'worse'), T0 + MIN), ['alert:t1'], 'second worse of the last 3');
  // Another target: worse, same, same, worse -> the first worse has left the last 3.
  const t2 = (id: string, kind: 'worse' | 'same') => single(id, kind, 't2', '10.77.40.2');
  assert.deepEqual(await s.feed(t2('a', 'worse'), T0 + 2 * MIN), []);
  assert.deepEqual(await s.feed(t2('b', 'same'), T0 + 3 * MIN), []);
  assert.deepEqual(await s.feed(t2('c', 'same'), T0 + 4 * MIN), []);
  assert.deepEqual(await s.feed(t2('d', 'worse'), T0 + 5 * MIN), [], '1 hit in the last 3');
  assert.deepEqual(s.subjects(), ['WORSE'], 'one mail in all');
});

test('real store: cooldown holds a second worse for 30 min, an escalation to unreachable passes it and restarts it', async (t) => {
  const s = await setup(t);
  assert.deepEqual(await s.feed(single('c1', 'worse'), T0), ['alert:t1']);
  assert.deepEqual(await s.feed(single('c2', 'worse'), T0 + 10 * MIN), [], 'inside the cooldown');
  assert.deepEqual(await s.feed(single('c3', 'unreachable'), T0 + 11 * MIN), ['alert:t1'], 'worse -> unreachable is news');
  assert.deepEqual(await s.feed(single('c4', 'worse'), T0 + 20 * MIN), [], 'the escalation restarted the cooldown');
  assert.deepEqual(await s.feed(single('c5', 'worse'), T0 + 42 * MIN), ['alert:t1'], 'after the cooldown');
  assert.deepEqual(s.subjects(), ['WORSE', 'UNREACHABLE', 'WORSE']);
});

test('real store: better after firing sends one recovery threaded under the alert it closes; then a new breakage alerts at once and the cooldown holds again', async (t) => {
  const s = await setup(t);
  assert.deepEqual(await s.feed(single('c0', 'better'), T0), [], 'better with nothing firing');
  assert.deepEqual(await s.feed(single('c1', 'worse'), T0 + MIN), ['alert:t1']);
  assert.deepEqual(await s.feed(single('c2', 'better'), T0 + 30 * MIN), ['recovery:t1']);
  assert.deepEqual(await s.feed(single('c2', 'better'), T0 + 30 * MIN + 1), [], 'the same recovery cause again: no second notice');
  assert.deepEqual(await s.feed(single('c3', 'better'), T0 + 31 * MIN), [], 'nothing firing any more');
  assert.deepEqual(await s.feed(single('c4', 'worse'), T0 + 32 * MIN), ['alert:t1'], 'told "fixed": a new breakage is news');
  assert.deepEqual(await s.feed(single('c5', 'worse'), T0 + 33 * MIN), [], 'and the cooldown holds while it fires');
  assert.deepEqual(s.subjects(), ['WORSE', 'RECOVERED', 'WORSE']);
  const [alert, recovery] = s.mailbox.mails;
  assert.equal(recovery.mail.inReplyTo, alert.messageId, 'the store kept which alert was firing');
  const listed = await s.store.alerts.list({ limit: 10 });
  assert.match(recovery.text, new RegExp(`alert #${listed[listed.length - 1].id}\\)`), 'the notice names the alert it closes');
});

test('real store: a silence on the prefix holds back the alert and the recovery notice; once removed, alerts go out again', async (t) => {
  const s = await setup(t, { alert: { rules: [{ name: 'default', cooldown: '0s' }] } });
  assert.deepEqual(await s.feed(single('c1', 'worse'), T0), ['alert:t1']);
  const silence = await s.store.alerts.addSilence({ prefix: '10.77.40.0/23', target: null, start: T0 + MIN, end: T0 + 60 * MIN, comment: 'CHG-1', createdAt: T0 });
  assert.deepEqual(await s.feed(single('c2', 'better'), T0 + 5 * MIN), [], 'no recovery notice while silenced');
  assert.deepEqual(await s.feed(single('c3', 'worse'), T0 + 6 * MIN), [], 'no alert while silenced');
  assert.deepEqual(await s.feed(single('c4', 'worse', 'x1', '10.77.50.1', { prefix: '10.77.50.0/24' }), T0 + 7 * MIN), ['alert:x1'], 'outside the silence');
  await s.store.alerts.deleteSilence(silence.id);
  assert.deepEqual(await s.feed(single('c5', 'worse'), T0 + 8 * MIN), ['alert:t1'], 'silence removed');
  assert.deepEqual(s.subjects(), ['WORSE', 'WORSE', 'WORSE']);
  assert.equal(s.alerter.counters.suppressed, 2, 'the held-back ones are counted');
});
