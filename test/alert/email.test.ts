// Alert emails through a real SMTP server in this process (smtp-server), read back with
// mailparser: one email per cause, what it says (subject, BGP change, traces hop by hop,
// links), HTML escaping, recovery, no-routing-change and withdrawal wording.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { escapeHtml } from '../../src/alert/render/html.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { tempDir } from '../service/helpers.ts';
import { PATH_FAST, PATH_SLOW, T0, attrs, cause, routeChange, single, trace, tv, verdict, worseMove } from './fixtures.ts';
import { config, startAlerter } from './helpers.ts';

async function mailbox(t: TestContext): Promise<Mailbox> {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  return m;
}

function emailSets(m: Mailbox): string[] {
  return [`email.smtp=${m.url}`, 'email.from=smoketrace@example.net', 'email.to=["noc@example.net", "oncall@example.net"]', 'alert.console_url=http://noc.example.net:8080/'];
}

test('one cause with 3 worse targets: exactly one email naming all 3, with the BGP change and both traces hop by hop', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const made = await alerter.handle(worseMove());
  await alerter.idle();
  assert.equal(made.length, 1, 'one alert');
  assert.equal(m.mails.length, 1, `one email, got: ${m.mails.map((x) => x.subject).join(' | ')}`);
  const mail = m.mails[0];
  assert.deepEqual(mail.rcptTo, ['noc@example.net', 'oncall@example.net']);
  assert.equal(mail.subject, '[smoketrace] WORSE 3 targets via 10.77.40.0/24: AS path 65001 65002 65004 -> 65001 65003 65004');
  assert.match(mail.messageId, /^<smoketrace\.alert-1\.email\.[0-9a-f]{12}@example\.net>$/);

  for (const [part, body] of [['text', mail.text], ['html', mail.html]] as const) {
    for (const want of [
      '3 targets got worse after a BGP change on 10.77.40.0/24',
      't1 10.77.40.1', 't2 10.77.40.2', 't3 10.77.40.3',
      'RTT +42.0 ms (+209%)',
      'Route in use for 10.77.40.0/24: 65001 65002 65004 -> 65001 65003 65004',
      'Prefix 10.77.40.0/24: the AS path changed (and the next hop)',
      'Router 10.77.255.1, peer 10.77.12.2 AS65002, at 2026-11-22 03:12:03 UTC',
      'AS path before: 65001 65002 65004',
      'AS path after:  65001 65003 65004',
      'Next hop: 10.77.12.2 -> 10.77.13.2',
      'Communities before: 65002:100; after: 65003:200',
      '2. AS65002 10.77.12.2 0.0% 12.3',
      '3. ???',
      '4. AS65004 10.77.40.1 0.0% 20.1',
      '2. AS65003 10.77.13.2 0.0% 40.7',
      '3. AS65004 10.77.40.3 0.0% 64.1',
      'confidence high',
      'http://noc.example.net:8080/#/target/t2',
    ]) {
      // The HTML part says the same, escaped ("->" is "-&gt;").
      assert.ok(body.includes(part === 'html' ? escapeHtml(want) : want), `${part} part has "${want}":\n${part === 'text' ? body : ''}`);
    }
  }
  // Most important first: the sentence, then the targets, then BGP, then the traces.
  const order = ['3 targets got worse', 't1 10.77.40.1 (10.77.40.0/24)\n', 'BGP change\n', 'Traces to t1'].map((s) => mail.text.indexOf(s));
  assert.deepEqual([...order].sort((a, b) => a - b), order, `sections in order: ${order}`);
  assert.ok(mail.html.includes('<a href="http://noc.example.net:8080/#/target/t1">'), 'the HTML links the console');
});

test('single target: the subject names target, verdict, delta, prefix and both AS paths; HTML escapes everything', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const c = single('c1', 'worse', 'web<1>', '10.77.40.1', { reasons: ['RTT rose <by 42 ms> & "more"'] });
  await alerter.handle({ ...c, verdicts: [{ ...c.verdicts[0], targetName: '10.77.40.1' }] });
  await alerter.idle();
  assert.equal(m.mails.length, 1);
  assert.equal(m.mails[0].subject, '[smoketrace] WORSE 10.77.40.1 (10.77.40.0/24): +42 ms, AS path 65001 65002 65004 -> 65001 65003 65004');
  const html = m.mails[0].html;
  assert.ok(html.includes('RTT rose &lt;by 42 ms&gt; &amp; &quot;more&quot;'), 'reasons escaped');
  assert.ok(html.includes('#/target/web%3C1%3E'), 'the link encodes the id');
  assert.ok(!html.includes('<by 42') && !html.includes('web<1>'), 'nothing unescaped');
  assert.ok(m.mails[0].text.includes('RTT rose <by 42 ms> & "more"'), 'the text part keeps the words as they are');
});

test('recovery: a better verdict after an alert sends a RECOVERED notice saying where the RTT is now against how bad it was; a prepend-only same sends nothing', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const addr = '10.77.40.1';
  const good = (at: number) => trace(addr, at, [[65001, '10.77.1.1', 0, 0.4], [65002, '10.77.12.2', 0, 5.2], [65004, addr, 0, 10.4]]);
  const bad = (at: number) => trace(addr, at, [[65001, '10.77.1.1', 0, 0.4], [65003, '10.77.13.2', 0, 40.7], [65003, '10.77.13.6', 0, 41.0], [65004, addr, 0, 66.4]]);
  // The alert: baseline 10.0 ms via 65002, now 66.4 ms via 65003.
  const worse = verdict({ kind: 'worse', target: addr, rttMs: 56.4, rttPct: 564, prefix: '10.77.40.0/24', before: PATH_FAST, after: PATH_SLOW });
  const made = await alerter.handle(cause('c1', 'route-change', [tv('t1', addr, '10.77.40.0/24', worse, good(T0 - 60_000), bad(T0 + 6000))]));
  await alerter.handle(single('c2', 'same', 't1', addr, { findings: ['prepend-only'] }, T0 + 60_000));
  // The route moves back: the verdict's deltas are against the old baseline (+0.4 ms), its
  // trace AS pair is baseline -> now (the same path); the cause's traces are bad -> now.
  const back = { ...verdict({ kind: 'better', target: addr, at: T0 + 35 * 60_000, rttMs: 0.4, rttPct: 4, prefix: '10.77.40.0/24', before: PATH_SLOW, after: PATH_FAST }), trace: { beforeAs: [65001, 65002, 65004], afterAs: [65001, 65002, 65004] } };
  const rec = await alerter.handle(cause('c3', 'route-change', [tv('t1', addr, '10.77.40.0/24', back, bad(T0 + 30 * 60_000), good(T0 + 35 * 60_000))], [], T0 + 35 * 60_000));
  await alerter.idle();
  assert.deepEqual(m.mails.map((x) => x.subject), [
    '[smoketrace] WORSE t1 10.77.40.1 (10.77.40.0/24): +56 ms, AS path 65001 65002 65004 -> 65001 65003 65004',
    '[smoketrace] RECOVERED t1 10.77.40.1 (10.77.40.0/24): back to baseline, RTT 10.4 ms (was +56 ms), AS path 65001 65003 65004 -> 65001 65002 65004',
  ]);
  assert.equal(m.mails[1].mail.inReplyTo, m.mails[0].messageId, 'the recovery is threaded under the alert it closes');
  assert.equal(rec[0].kind, 'recovery');
  assert.equal(rec[0].verdict, 'better');
  const text = m.mails[1].text;
  assert.match(text, new RegExp(`^t1 10\\.77\\.40\\.1 recovered at 2026-11-22 03:47:03 UTC: back to baseline, RTT 10\\.4 ms \\(was \\+56 ms\\); it had been WORSE since 2026-11-22 \\d\\d:\\d\\d:\\d\\d UTC \\(.+, alert #${made[0].id}\\)\\.`));
  assert.ok(text.includes('Now: BETTER, back to baseline, RTT 10.4 ms (was +56 ms) (confidence high)'), text);
  assert.ok(text.includes('Against the baseline from before the alert: RTT +0.4 ms (+4%)'), 'the delta is labelled as what it is');
  assert.ok(text.includes('Traceroute AS path: 65001 65003 65004 (while it was bad) -> 65001 65002 65004 (now)'), 'the bad path before, the path now after');
  assert.ok(!text.includes('Traceroute AS path: 65001 65002 65004 -> 65001 65002 65004'), 'not the baseline on both sides');
});

test('recovery subjects: from unreachable, still above the baseline, and with no traces', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const addr = '10.77.40.2';
  const lost = trace(addr, T0, [[65001, '10.77.1.1', 0, 0.4], [null, null, 100, 0]]);
  const now = trace(addr, T0 + 60_000, [[65001, '10.77.1.1', 0, 0.4], [65004, addr, 0, 31]]);
  await alerter.handle(single('u1', 'unreachable', 't2', addr));
  await alerter.handle(cause('u2', 'route-change', [tv('t2', addr, '10.77.40.0/24', verdict({ kind: 'better', target: addr, rttMs: 20, prefix: '10.77.40.0/24' }), lost, now)]));
  await alerter.handle(single('w1', 'worse', 't3', '10.77.40.3'));
  await alerter.handle(single('w2', 'better', 't3', '10.77.40.3', { rttMs: 1, prefix: '10.77.40.0/24', before: undefined, after: undefined }));
  await alerter.idle();
  assert.deepEqual(m.mails.map((x) => x.subject).filter((s) => s.includes('RECOVERED')), [
    '[smoketrace] RECOVERED t2 10.77.40.2 (10.77.40.0/24): RTT 31.0 ms, +20 ms over baseline (was unreachable)',
    '[smoketrace] RECOVERED t3 10.77.40.3 (10.77.40.0/24): back to baseline',
  ]);
});

test('a data-plane change with no BGP change says so; a withdrawal is UNREACHABLE and says withdrawn', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const addr = '10.77.40.9';
  const v = verdict({ kind: 'worse', target: addr, rttMs: 55, rttPct: 120, findings: ['no-routing-change'], reasons: ['no routing change was seen for 10.77.40.0/24'] });
  await alerter.handle(cause('pc1', 'path-change', [tv('t9', addr, '10.77.40.0/24', v, trace(addr, T0 - 60_000, [[65001, '10.77.1.1', 0, 1], [65004, addr, 0, 20]]), trace(addr, T0, [[65001, '10.77.1.1', 0, 1], [65004, addr, 0, 75]]))]));
  const wd = routeChange('10.77.50.0/24', attrs(PATH_FAST, '10.77.12.2'), undefined);
  const u = verdict({ kind: 'unreachable', target: '10.77.50.1', findings: ['withdrawn'], prefix: '10.77.50.0/24', before: PATH_FAST, routeChanges: [wd] });
  await alerter.handle(cause('wd1', 'route-change', [tv('t5', '10.77.50.1', '10.77.50.0/24', u)], [wd]));
  await alerter.idle();
  assert.equal(m.mails.length, 2);
  const [dp, un] = m.mails;
  assert.equal(dp.subject, '[smoketrace] WORSE t9 10.77.40.9 (10.77.40.0/24): +55 ms, no routing change seen');
  for (const body of [dp.text, dp.html]) assert.ok(body.includes('no routing change was seen for 10.77.40.0/24'), 'the words');
  assert.equal(un.subject, '[smoketrace] UNREACHABLE t5 10.77.50.1 (10.77.50.0/24): 10.77.50.0/24 withdrawn');
  assert.ok(un.text.includes('t5 10.77.50.1 became unreachable: 10.77.50.0/24 was withdrawn by peer 10.77.12.2 AS65002'), un.text);
  assert.ok(un.text.includes('withdrawn by peer 10.77.12.2 AS65002: no route left from that peer'), 'the BGP block says it plainly');
  assert.ok(un.text.includes('Route in use for 10.77.50.0/24: 65001 65002 65004 -> none (no route left)'), 'no route in use after');
  assert.ok(un.text.includes('AS path after:  none (no route from this peer)'), 'no path after');
  assert.ok(un.text.includes('Before: no trace from before the change'), 'missing traces are said, not skipped');
});

test('a peer going down that moves 12 targets in 2 prefixes: one email listing all 12, the session down said plainly, traces of the first 10', async (t) => {
  const m = await mailbox(t);
  const { alerter } = await startAlerter(t, config(tempDir(t, 'alert'), emailSets(m)));
  const changes = ['10.77.40.0/24', '10.77.41.0/24'].map((p) => routeChange(p, attrs(PATH_FAST, '10.77.12.2'), undefined, T0, 'peer-down'));
  const verdicts = Array.from({ length: 12 }, (_, i) => {
    const p = i < 6 ? '10.77.40.0/24' : '10.77.41.0/24';
    const addr = `${p.slice(0, 8)}.${i + 1}`;
    const v = verdict({ kind: i === 0 ? 'unreachable' : 'worse', target: addr, rttMs: 30, prefix: p, before: PATH_FAST, after: PATH_SLOW });
    return tv(`peer-${i + 1}`, addr, p, v, trace(addr, T0 - 60_000, [[65001, '10.77.1.1', 0, 1], [65004, addr, 0, 20]]), trace(addr, T0, [[65001, '10.77.1.1', 0, 1], [65004, addr, 0, 50]]));
  });
  await alerter.handle(cause('pd1', 'peer-down', verdicts, changes));
  await alerter.idle();
  assert.equal(m.mails.length, 1, 'one email for the whole session down');
  const mail = m.mails[0];
  assert.equal(mail.subject, '[smoketrace] UNREACHABLE 12 targets in 2 prefixes: peer 10.77.12.2 AS65002 down');
  assert.ok(mail.text.startsWith('12 targets were hit (1 unreachable, 11 worse) when the BGP session with peer 10.77.12.2 AS65002 on 10.77.255.1 went down.'), mail.text.slice(0, 200));
  assert.ok(mail.text.includes('the BGP session with peer 10.77.12.2 AS65002 went down: its routes were dropped'), 'the BGP block says it plainly');
  for (const x of verdicts) assert.ok(mail.text.includes(`${x.targetId} ${x.address} (${x.prefix})\n`), `lists ${x.targetId}`);
  assert.equal(mail.text.split('\nTraces to ').length - 1, 10, 'traces of the first 10 targets');
  assert.ok(mail.text.includes('Traces of the other 2 targets are in the console (http://noc.example.net:8080).'), 'the rest point to the console');
});
