// [alert] and [[alert.rules]] in the config: defaults, the default rule, and one clear
// line per problem (unknown channel, bad persistence, N > M, a channel named but not
// configured), all at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRaw } from '../../src/config/load.ts';
import { rulesFromConfig } from '../../src/alert/rules.ts';

function load(raw: Record<string, unknown>, sets: string[] = []) {
  return fromRaw(raw, { env: {}, sets }, { path: 'test', how: 'given' });
}

test('defaults: no rule means the default rule, through every configured channel', () => {
  const r = load({ email: { smtp: 'smtp://mail.example.net:25', from: 'st@example.net', to: ['noc@example.net'] } });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.equal(r.config.alert.retry_min, 5000);
  assert.equal(r.config.alert.retry_max, 300_000);
  assert.equal(r.config.alert.give_up_after, 86_400_000);
  assert.equal(r.config.alert.console_url, undefined);
  assert.deepEqual(rulesFromConfig(r.config.alert.rules, ['email']), [
    { name: 'default', verdicts: ['worse', 'unreachable'], findings: [], channels: ['email'], persistence: { n: 1, m: 1 }, cooldownMs: 1_800_000, recovery: true, minConfidence: 'low' },
  ]);
});

test('a rule table with its defaults filled', () => {
  const r = load({ webhook: { url: 'https://hooks.example.net/x' }, alert: { rules: [{ name: 'core', targets: ['web-*'], prefixes: ['203.0.113.0/24'], persistence: '2/3', cooldown: '10m', findings: ['no-routing-change'] }] } });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  const [rule] = rulesFromConfig(r.config.alert.rules, ['webhook']);
  assert.equal(rule.name, 'core');
  assert.deepEqual(rule.verdicts, ['worse', 'unreachable']);
  assert.deepEqual(rule.findings, ['no-routing-change']);
  assert.deepEqual(rule.persistence, { n: 2, m: 3 });
  assert.equal(rule.cooldownMs, 600_000);
  assert.deepEqual(rule.channels, ['webhook']);
  assert.equal(rule.prefixes?.length, 1);
});

test('every problem in the rules is one clear line, all at once', () => {
  const r = load({
    alert: {
      retry_min: 'soon',
      rules: [
        { name: 'a', channels: ['pager'] },
        { name: 'b', persistence: 'two of three' },
        { name: 'c', persistence: '3/2' },
        { name: 'd', verdicts: ['worst'], min_confidence: 'certain' },
      ],
    },
  });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.problems, [
    'alert.retry_min: expected a duration like "5m" (units ms, s, m, h, d, w; at least 100ms), got "soon"',
    'alert.rules[0].channels[0]: expected one of "email", "webhook", got "pager"',
    'alert.rules[1].persistence: expected N of the last M verdicts written "N/M" like "2/3" (1 <= N <= M <= 100), got "two of three"',
    'alert.rules[2].persistence: expected N at most M in "N/M" (3 of the last 2 can never happen), got "3/2"',
    'alert.rules[3].verdicts[0]: expected one of "worse", "better", "same", "unreachable", got "worst"',
    'alert.rules[3].min_confidence: expected one of "low", "medium", "high", got "certain"',
  ]);
});

test('a channel named but not configured, a duplicate rule name and retry_max < retry_min', () => {
  const r = load({ alert: { retry_min: '1m', retry_max: '30s', rules: [{ name: 'a', channels: ['email', 'webhook'] }, { name: 'a' }] } });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.problems, [
    'alert.rules[0].channels: expected channels that are configured (email needs email.smtp), got "email"',
    'alert.rules[0].channels: expected channels that are configured (webhook needs webhook.url), got "webhook"',
    'alert.rules[1].name: expected a name no other rule has, got "a"',
    'alert.retry_max: expected at least alert.retry_min, got 30s',
  ]);
});
