// Issue 6's acceptance in the real lab: FRR routers export BMP from r1 to a Service that
// traces two targets with mtr from the probe namespace every few seconds, correlates,
// and mails a real SMTP server in this process (smtp-server; mails parsed with mailparser).
//
// Scenarios, one after another on one lab (each starts from the fast path r1-r2-r4):
//  1. best path moved to the slower path (flap prepend): one WORSE mail per prefix within
//     10 s of the BGP update, naming the prefix, both AS paths, both traces hop by hop;
//     moved back (restore): a recovery notice and no new WORSE mail;
//  2. a prepend that changes the AS path in use but not the forwarding path: verdict
//     'same' (prepend-only) and no mail;
//  3. ICMP rate limiting on a middle hop, then per-flow ECMP: no mail;
//  4. real loss on the new path (r1-r3 loses 30 % each way, then the move): a mail that
//     says the loss rose; moved back: a recovery notice;
//  5. congestion (r2-r4's delay raised, no BGP change): a mail saying no routing change
//     was seen;
//  6. prefix withdrawn: an UNREACHABLE mail carrying the withdrawal;
//  7. SMTP down while two alerts are raised, the service restarted on the same database,
//     SMTP up: each alert arrives exactly once.
// Needs root, FRR, mtr, python3; skips with the reason otherwise (fails under
// SMOKETRACE_REQUIRE_LAB=1).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findTool, requirement } from '../helpers/requirements.ts';
import type { ReceivedMail } from '../helpers/mailbox.ts';
import { waitFor } from '../service/helpers.ts';
import { AlertLab } from './alert-harness.ts';
import { ASN, AS_PATHS, HOPS, TARGETS, TARGET_PREFIXES } from './lab.ts';

const TOOLS = ['mtr', 'ip', 'zebra', 'bgpd', 'python3'];
const missing = TOOLS.filter((t) => findTool(t) === undefined);
const isRoot = process.getuid?.() === 0;
const [, T203] = TARGETS.v4;
const [P198, P203] = TARGET_PREFIXES.v4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('correlation and alerting in the lab', { timeout: 600_000 }, () => {
  const h = new AlertLab();
  const mailbox = h.mailbox;
  const log: string[] = [];
  /** Latency from the BGP change (BMP timestamp) to the mail's arrival, per move. */
  const latencies: number[] = [];

  before(async () => {
    if (!isRoot || missing.length > 0) return;
    await h.up();
    await h.baseline();
  });

  after(async () => {
    await h.down();
    if (latencies.length > 0) log.push(`BGP update -> mail: ${latencies.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
    log.push(`every mail: ${mailbox.mails.map((m) => m.subject).join('\n  ')}`);
    if (log.length > 0) console.log(log.join('\n'));
  });

  const ready = (t: Parameters<typeof requirement>[0]) =>
    requirement(t, isRoot && missing.length === 0, !isRoot ? 'needs root (network namespaces)' : `missing: ${missing.join(', ')}`);

  /** Mails since index `from` whose subject mentions `text`. */
  const mailsAbout = (from: number, text: string) => mailbox.mails.slice(from).filter((m) => m.subject.includes(text));

  async function verdicts(target: string, since: number): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = await h.call('GET', `/api/verdicts?target=${target}&since=${new Date(since).toISOString()}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.verdicts;
  }

  it('best path to the slower path: one WORSE mail per prefix within 10 s; moved back: a recovery, no WORSE', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    const t0 = Date.now();
    await h.lab!.flap('prepend');
    const mail = await h.mail((m) => /WORSE/.test(m.subject) && m.subject.includes(P203), 30_000, from, 't203', t0);
    log.push(`worse mail: ${mail.subject}\n${mail.text}`);
    const changedAt = await h.changeTime('t203', t0 - 5000, 'worse');
    latencies.push(mail.at - changedAt);
    assert.ok(mail.at - changedAt <= 10_000, `mail ${mail.at - changedAt} ms after the BGP update (goal <= 10 s)`);
    // The mail names the prefix, both AS paths and both traces hop by hop.
    assert.match(mail.text, new RegExp(P203.replace(/\./g, '\\.')));
    assert.ok(mail.text.includes(AS_PATHS.fast) && mail.text.includes(AS_PATHS.slow), `both AS paths in:\n${mail.text}`);
    for (const [i, hop] of HOPS.fast.v4.entries()) assert.match(mail.text, new RegExp(`AS${[ASN.r1, ASN.r2, ASN.r4][i]}\\s+${hop.replace(/\./g, '\\.')}\\s+\\d+\\.\\d%\\s+\\d+\\.\\d`), `before-trace hop ${hop}`);
    for (const [i, hop] of HOPS.slow.v4.entries()) assert.match(mail.text, new RegExp(`AS${[ASN.r1, ASN.r3, ASN.r4][i]}\\s+${hop.replace(/\./g, '\\.')}\\s+\\d+\\.\\d%\\s+\\d+\\.\\d`), `after-trace hop ${hop}`);
    assert.match(mail.text, /\+\d+(\.\d)? ms/, 'the RTT delta');
    assert.match(mail.html, /<table|<pre/, 'an HTML part with the traces');
    assert.ok(mail.text.includes('http://noc.lab.example:8080'), 'a link to the console');
    // One per cause: give the other prefix's mail time to come, then count.
    await mailbox.waitFor((m) => /WORSE/.test(m.subject) && m.subject.includes(P198), 30_000, from);
    await sleep(3000);
    assert.equal(mailsAbout(from, P203).length, 1, `one mail for ${P203}: ${mailbox.mails.slice(from).map((m) => m.subject).join(' | ')}`);

    const back = mailbox.mails.length;
    await h.lab!.restore();
    const rec = await h.mail((m) => /RECOVER|BETTER|RESOLVED/i.test(m.subject) && m.subject.includes(P203), 40_000, back, 't203', Date.now() - 5000);
    log.push(`recovery mail: ${rec.subject}\n${rec.text}`);
    await sleep(3000);
    assert.deepEqual(
      mailbox.mails.slice(back).filter((m) => /WORSE/.test(m.subject)).map((m) => m.subject),
      [],
      'no WORSE mail when the path comes back',
    );
    await h.baseline();
  });

  it('a prepend that leaves the forwarding path alone: verdict same (prepend-only), no mail', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    const t0 = Date.now();
    // First lengthen the backup path (r3 prepends 3x): a change to a route not in use, so
    // that the prepend below keeps r2 as the best path.
    await h.lab!.vtysh('r3', 'configure terminal', 'route-map PREPEND permit 10', 'set as-path prepend 4200000003 4200000003 4200000003', 'end', 'clear bgp 10.77.13.1 soft out');
    await h.lab!.vtysh('r4', 'configure terminal', 'route-map TO-R2 permit 10', 'set as-path prepend 65004', 'end', 'clear bgp 10.77.24.1 soft out');
    try {
      const v = await waitFor(
        'a verdict on the prepend',
        // FRR's BMP timestamps run up to a second behind this clock: look a little further back.
        async () => (await verdicts('t203', t0 - 5000)).find((x) => x.routeChanges.some((c: any) => c.after?.asPath?.join(' ') === '65002 65004 65004')), // eslint-disable-line @typescript-eslint/no-explicit-any
        30_000,
      ).catch(async (e: Error) => {
        // Say what the correlator did decide, so a failure here is readable.
        const vs = (await h.call('GET', '/api/verdicts?limit=5')).body.verdicts as { at: string; targetId: string; kind: string; reasons: string[] }[];
        throw new Error(`${e.message}; latest verdicts: ${JSON.stringify(vs.map((x) => [x.at, x.targetId, x.kind, x.reasons]))}`);
      });
      log.push(`prepend verdict: ${v.kind} ${v.findings.join(',')} ${v.reasons.join(' | ')}`);
      assert.equal(v.kind, 'same', v.reasons.join(' | '));
      assert.ok(v.findings.includes('prepend-only'), `finding prepend-only: ${v.findings}`);
      await sleep(3000);
      assert.deepEqual(mailbox.mails.slice(from).map((m) => m.subject), [], 'no mail for a prepend');
    } finally {
      await h.lab!.vtysh('r4', 'configure terminal', 'route-map TO-R2 permit 10', 'no set as-path prepend', 'end', 'clear bgp 10.77.24.1 soft out');
      await h.lab!.vtysh('r3', 'configure terminal', 'route-map PREPEND permit 10', 'set as-path prepend 4200000003', 'end', 'clear bgp 10.77.13.1 soft out');
      await h.lab!.restore();
    }
    await h.baseline(3);
  });

  it('ICMP rate limiting on a middle hop, then per-flow ECMP: no mail', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    await h.lab!.ratelimit('r2', 1000);
    try {
      await h.baseline(5);
    } finally {
      await h.lab!.ratelimit('r2', false);
    }
    await h.lab!.ecmp(true, { equal: true });
    try {
      await h.baseline(5);
    } finally {
      await h.lab!.ecmp(false);
    }
    // Under ECMP the baseline rightly learnt the r3 branch; it keeps the last 10 traces, so
    // 11 more on the single path make the next scenarios start from a baseline without it.
    await h.baseline(11);
    assert.deepEqual(mailbox.mails.slice(from).map((m) => m.subject), [], 'no mail for rate limiting or ECMP');
  });

  it('real loss on the new path: a mail that says the loss rose', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    const t0 = Date.now();
    // The mail's loss figure is pooled over the traces that made the change (two or three
    // of 5 probes each) and counts only when significant: 2 lost probes or more. netem
    // drops both ways and the prepend moves the replies onto r1-r3 as well, so 30 % is 51 %
    // of the probes: 10 lose fewer than 2 one time in 110, and a trace goes unanswered one
    // time in 30 (at 50 %, 75 % loss: one in 4, and the change could read unreachable).
    await h.lab!.impair('r1-r3', { lossPct: 30 });
    try {
      await h.lab!.flap('prepend');
      const mail = await h.mail((m) => /WORSE/.test(m.subject) && m.subject.includes(P203), 30_000, from, 't203', t0);
      log.push(`loss mail: ${mail.subject}`);
      assert.match(mail.text, /loss \+\d+(\.\d)? points/, `the mail says the loss rose:\n${mail.text}`);
      const all = await verdicts('t203', t0);
      const v = all.find((x) => x.kind === 'worse');
      const changes = (await h.call('GET', `/api/targets/t203/path-changes?since=${new Date(t0).toISOString()}`)).body.changes as { at: string; kind: string; deltas: unknown; reasons: string[] }[];
      const seen = `verdicts: ${JSON.stringify(all.map((x) => [x.at, x.kind, x.deltas, x.reasons[0]]))}\npath changes: ${JSON.stringify(changes.map((c) => [c.at, c.kind, c.deltas, c.reasons[0]]))}`;
      assert.ok(v && v.deltas.lossPts >= 2, `loss rose by >= 2 points: ${JSON.stringify(v?.deltas)}\n${seen}`);
    } catch (e) {
      await h.lab!.restore(); // the next scenarios start from the fast path
      throw e;
    } finally {
      await h.lab!.resetImpair('r1-r3');
    }
    // Moved back: the alert is closed by a recovery notice (else the rule's cooldown would
    // hold back the next breakage of this target).
    const back = mailbox.mails.length;
    await h.lab!.restore();
    const rec = await h.mail((m) => /RECOVER/i.test(m.subject) && m.subject.includes(P203), 40_000, back, 't203', Date.now() - 5000);
    log.push(`loss recovery mail: ${rec.subject}`);
    await h.baseline();
  });

  it('congestion with no BGP change: a mail saying no routing change was seen', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    await h.lab!.impair('r2-r4', { delayMs: 15 });
    try {
      const mail = await h.mail((m) => /WORSE/.test(m.subject) && m.subject.includes(T203), 60_000, from, 't203', Date.now());
      log.push(`congestion mail: ${mail.subject}`);
      assert.match(mail.text, /no routing change was seen/i, mail.text);
    } finally {
      await h.lab!.resetImpair('r2-r4');
    }
    await h.baseline();
  });

  it('prefix withdrawn: an UNREACHABLE mail carrying the withdrawal', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    const t0 = Date.now();
    await h.lab!.withdraw(P203);
    try {
      const mail = await h.mail((m) => /UNREACHABLE/.test(m.subject) && m.subject.includes(P203), 40_000, from, 't203', Date.now());
      log.push(`unreachable mail: ${mail.subject}`);
      assert.match(mail.text, /withdr/i, `the withdrawal is in the mail:\n${mail.text}`);
    } finally {
      await h.lab!.announce(P203);
    }
    await h.mail((m) => /RECOVER|BETTER|RESOLVED/i.test(m.subject) && m.subject.includes(P203), 60_000, from, 't203', t0);
    await h.baseline();
  });

  it('SMTP down while alerts are raised, the service restarted, SMTP up: each alert arrives once', async (t) => {
    if (!ready(t)) return;
    const from = mailbox.mails.length;
    const t0 = new Date().toISOString();
    await mailbox.stop();
    await h.lab!.flap('prepend');
    // Each target alerts unless a rule's cooldown still holds it (an earlier alert of this
    // suite with no recovery sent yet): whichever alerts are raised must each arrive once.
    const failedOnce = async () => {
      const a = (await h.call('GET', `/api/alerts?since=${t0}`)).body.alerts as { id: number; subject: string; deliveries: { channel: string; attempts: number; state: string }[] }[];
      return a.length >= 1 && a.every((x) => x.deliveries.some((d) => d.channel === 'email' && d.attempts >= 1 && d.state === 'pending')) && a;
    };
    await waitFor('an alert that failed to send at least once', failedOnce, 40_000);
    // Give the second prefix's alert the time the first one took, then take the set.
    await sleep(8000);
    const pending = await waitFor('the alerts raised, each failed at least once', failedOnce, 20_000);
    log.push(`raised while SMTP was down: ${pending.map((a) => a.subject).join(' | ')}`);
    await h.stopService();
    await h.startService();
    await mailbox.start();
    await h.lab!.restore();
    await waitFor('the queued mails', () => mailbox.mails.length - from >= pending.length, 30_000);
    await sleep(4000);
    const ids = mailbox.mails.slice(from).map((m: ReceivedMail) => m.messageId);
    log.push(`after SMTP came back: ${mailbox.mails.slice(from).map((m) => m.subject).join(' | ')}`);
    assert.equal(new Set(ids).size, ids.length, `no mail twice: ${ids.join(' ')}`);
    const worse = mailbox.mails.slice(from).filter((m) => /WORSE/.test(m.subject));
    assert.equal(worse.length, pending.length, `each queued alert once: ${worse.map((m) => m.subject).join(' | ')}`);
    const alerts = (await h.call('GET', `/api/alerts?since=${t0}`)).body.alerts as { id: number; deliveries: { state: string }[] }[];
    for (const a of alerts.filter((x) => pending.some((p) => p.id === x.id))) assert.ok(a.deliveries.every((d) => d.state === 'sent'), `alert ${a.id} delivered: ${JSON.stringify(a.deliveries)}`);
  });
});
