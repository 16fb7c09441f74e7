// The pure decision (src/alert/decide.ts): grouping, persistence, cooldown, silences,
// recovery, 'same' and 'better', scope and confidence, with the state carried from one
// cause to the next as the store would carry it (sequences.test.ts runs the main sequences
// through the real Alerter and the SQLite store instead of this harness).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Decision, type RuleTargetState, type SilenceView, alreadyKey, decide } from '../../src/alert/decide.ts';
import { type AlertRule, defaultRule, globMatch } from '../../src/alert/rules.ts';
import type { Cause } from '../../src/model/cause.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { T0, single, worseMove } from './fixtures.ts';

const MIN = 60_000;

/** Runs causes through decide() one after another, keeping state and "already" like the store. */
function harness(rules: AlertRule[], silences: SilenceView[] = []) {
  const states = new Map<string, RuleTargetState>();
  const already = new Map<string, Set<string>>();
  let nextId = 1;
  return {
    states,
    run(cause: Cause, now: number): Decision {
      const d = decide({ cause, rules, state: (r, t) => states.get(`${r}|${t}`), silences, already: already.get(cause.id) ?? new Set(), now });
      const ids = d.alerts.map(() => nextId++);
      const set = already.get(cause.id) ?? new Set<string>();
      d.alerts.forEach((a) => a.entries.forEach((e) => set.add(alreadyKey(a.rule.name, a.kind, e.tv.targetId))));
      already.set(cause.id, set);
      for (const s of d.states) {
        const firing = s.state.firing && s.firedBy !== undefined ? { ...s.state.firing, alertId: ids[s.firedBy] } : s.state.firing;
        states.set(`${s.rule}|${s.targetId}`, { ...s.state, ...(firing ? { firing } : {}) });
      }
      return d;
    },
  };
}

const rule = (o: Partial<AlertRule> = {}): AlertRule => ({ ...defaultRule(['email']), ...o });
const targetsOf = (d: Decision) => d.alerts.map((a) => [a.kind, a.entries.map((e) => e.tv.targetId)]);

test('one cause moving 3 targets: ONE alert listing all 3', () => {
  const h = harness([rule()]);
  const d = h.run(worseMove(), T0);
  assert.deepEqual(targetsOf(d), [['alert', ['t1', 't2', 't3']]]);
  assert.equal(d.alerts[0].rule.name, 'default');
});

test('two rules each send their own alert for the same cause', () => {
  const h = harness([rule(), rule({ name: 'web', targets: ['t?'], channels: ['webhook'] })]);
  const d = h.run(worseMove(), T0);
  assert.deepEqual(d.alerts.map((a) => a.rule.name), ['default', 'web']);
});

test('the same cause emitted again alerts nobody twice; a new target of it does alert', () => {
  const h = harness([rule({ cooldownMs: 0 })]);
  assert.equal(h.run(worseMove('c', ['10.77.40.1']), T0).alerts.length, 1);
  const again = h.run(worseMove('c', ['10.77.40.1', '10.77.40.2']), T0 + 1000);
  assert.deepEqual(targetsOf(again), [['alert', ['t2']]]);
  assert.deepEqual(again.suppressed, [{ rule: 'default', targetId: 't1', why: 'already-sent' }]);
});

test("persistence 2/3 holds the first verdict back and alerts on the second; the history counts a cause once", () => {
  const h = harness([rule({ persistence: { n: 2, m: 3 }, cooldownMs: 0 })]);
  const first = h.run(single('c1', 'worse'), T0);
  assert.equal(first.alerts.length, 0, 'the first worse verdict is held back');
  assert.deepEqual(first.suppressed, [{ rule: 'default', targetId: 't1', why: 'persistence' }]);
  // The same cause again is still one verdict, not two.
  assert.equal(h.run(single('c1', 'worse'), T0 + 1).alerts.length, 0, 'a re-emitted cause does not count twice');
  const second = h.run(single('c2', 'worse'), T0 + MIN);
  assert.deepEqual(targetsOf(second), [['alert', ['t1']]]);
  // worse, same, same: 1 of the last 3 -> nothing
  const h2 = harness([rule({ persistence: { n: 2, m: 3 }, cooldownMs: 0 })]);
  h2.run(single('a', 'worse'), T0);
  h2.run(single('b', 'same'), T0 + MIN);
  h2.run(single('c', 'same'), T0 + 2 * MIN);
  assert.equal(h2.run(single('d', 'worse'), T0 + 3 * MIN).alerts.length, 0, 'the first worse fell out of the last 3');
});

test('cooldown: a second worse within 30 min is held back, after it alerts again; an escalation passes', () => {
  const h = harness([rule()]);
  assert.equal(h.run(single('c1', 'worse'), T0).alerts.length, 1);
  const inCooldown = h.run(single('c2', 'worse'), T0 + 10 * MIN);
  assert.equal(inCooldown.alerts.length, 0, 'inside the cooldown');
  assert.deepEqual(inCooldown.suppressed, [{ rule: 'default', targetId: 't1', why: 'cooldown' }]);
  const escalation = h.run(single('c3', 'unreachable'), T0 + 11 * MIN);
  assert.deepEqual(targetsOf(escalation), [['alert', ['t1']]], 'worse -> unreachable is news, cooldown or not');
  assert.equal(h.run(single('c4', 'worse'), T0 + 20 * MIN).alerts.length, 0, 'the escalation restarted the cooldown');
  assert.equal(h.run(single('c5', 'worse'), T0 + 42 * MIN).alerts.length, 1, 'after the cooldown');
});

test('a silence on the prefix, the target or its address suppresses; expired or elsewhere does not', () => {
  const p = parsePrefix('10.77.40.0/23')!;
  const cases: [SilenceView, number][] = [
    [{ id: 1, prefix: p, start: T0 - MIN, end: T0 + MIN }, 0],
    [{ id: 2, target: 't2', start: T0 - MIN, end: T0 + MIN }, 2],
    [{ id: 3, target: '10.77.40.3', start: T0 - MIN, end: T0 + MIN }, 2],
    [{ id: 4, prefix: p, start: T0 - 2 * MIN, end: T0 }, 3],
    [{ id: 5, prefix: parsePrefix('10.77.41.0/24')!, start: T0 - MIN, end: T0 + MIN }, 3],
    [{ id: 6, prefix: p, start: T0 + 1, end: T0 + MIN }, 3],
  ];
  for (const [s, n] of cases) {
    const d = harness([rule()], [s]).run(worseMove(), T0);
    assert.equal(d.alerts[0]?.entries.length ?? 0, n, `silence ${s.id}`);
    if (n < 3) assert.ok(d.suppressed.every((x) => x.why === 'silence' && x.silence === s.id), `silence ${s.id} named as the reason`);
  }
});

test('recovery: better after firing sends a notice naming what fired; better with nothing firing sends nothing', () => {
  const h = harness([rule()]);
  assert.equal(h.run(single('c0', 'better'), T0).alerts.length, 0, 'better with nothing firing');
  h.run(single('c1', 'worse'), T0 + MIN);
  const rec = h.run(single('c2', 'better'), T0 + 30 * MIN);
  assert.deepEqual(targetsOf(rec), [['recovery', ['t1']]]);
  assert.equal(rec.alerts[0].entries[0].firing?.verdict, 'worse');
  assert.equal(rec.alerts[0].entries[0].firing?.since, T0 + MIN);
  assert.equal(rec.alerts[0].entries[0].firing?.alertId, 1, 'the recovery knows which alert it closes');
  assert.equal(h.run(single('c3', 'better'), T0 + 31 * MIN).alerts.length, 0, 'a second better: nothing firing any more');
  assert.equal(h.run(single('c4', 'worse'), T0 + 32 * MIN).alerts.length, 1, 'after a recovery notice, a new breakage alerts at once');
  assert.equal(h.run(single('c5', 'worse'), T0 + 33 * MIN).alerts.length, 0, 'and the cooldown holds while it is firing');
  const off = harness([rule({ recovery: false })]);
  off.run(single('c1', 'worse'), T0);
  assert.equal(off.run(single('c2', 'better'), T0 + MIN).alerts.length, 0, 'recovery = false');
  assert.equal(off.run(single('c3', 'worse'), T0 + 2 * MIN).alerts.length, 0, 'no notice sent, so the cooldown still holds');
});

test("'same' never alerts by default (prepend-only, ECMP); 'better' alerts only when a rule asks for it", () => {
  const h = harness([rule()]);
  assert.equal(h.run(single('c1', 'same', 't1', '10.77.40.1', { findings: ['prepend-only'] }), T0).alerts.length, 0);
  const asks = harness([rule({ verdicts: ['better'] })]);
  assert.deepEqual(targetsOf(asks.run(single('c1', 'better'), T0)), [['alert', ['t1']]]);
});

test('findings alert whatever the kind; min_confidence; targets globs and prefixes scope a rule', () => {
  const mismatch = single('c1', 'same', 't1', '10.77.40.1', { findings: ['control-data-mismatch'] });
  assert.equal(harness([rule()]).run(mismatch, T0).alerts.length, 0, 'the default rule pages on no finding');
  assert.equal(harness([rule({ findings: ['control-data-mismatch'] })]).run(mismatch, T0).alerts.length, 1);
  const low = single('c1', 'worse', 't1', '10.77.40.1', { confidence: 'low' });
  assert.equal(harness([rule({ minConfidence: 'medium' })]).run(low, T0).alerts.length, 0, 'low < medium');
  assert.equal(harness([rule({ minConfidence: 'low' })]).run(low, T0).alerts.length, 1);
  assert.deepEqual(targetsOf(harness([rule({ targets: ['t[1]', 't3'] })]).run(worseMove(), T0)), [['alert', ['t3']]], 'brackets are literal');
  assert.deepEqual(targetsOf(harness([rule({ targets: ['t*'] })]).run(worseMove(), T0)), [['alert', ['t1', 't2', 't3']]]);
  assert.equal(harness([rule({ prefixes: [parsePrefix('192.0.2.0/24')!] })]).run(worseMove(), T0).alerts.length, 0);
  assert.equal(harness([rule({ prefixes: [parsePrefix('10.77.0.0/16')!] })]).run(worseMove(), T0).alerts[0].entries.length, 3);
  assert.equal(globMatch('web-*', 'web-1'), true);
  assert.equal(globMatch('web-?', 'web-10'), false);
});
