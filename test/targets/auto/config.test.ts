// [auto_targets] config: defaults, and one line per mistake naming key, expectation and value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRaw } from '../../../src/config/load.ts';

const load = (raw: Record<string, unknown>, sets: string[] = []) => fromRaw(raw, { env: {}, sets }, { path: 'test.toml', how: 'given' });

test('defaults: off, 15m refresh, 50 targets, 5 per origin, 6h expiry, churn top 20 over 24h', () => {
  const r = load({});
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  const a = r.config.auto_targets;
  assert.deepEqual(
    [a.enabled, a.interval, a.max_targets, a.max_per_origin, a.expire_after, a.candidates, a.recheck_unresponsive, a.churn.window, a.churn.top, a.traffic.format, a.traffic.side, a.traffic.metric],
    [false, 900_000, 50, 5, 21_600_000, 3, 86_400_000, 86_400_000, 20, 'auto', 'dst', 'bytes'],
  );
});

test('bad values: every problem at once, one line each', () => {
  const r = load({
    probe: { allowed: [] },
    auto_targets: {
      enabled: true,
      interval: 'often',
      max_targets: 0,
      static: ['198.51.100.1/24'],
      asn: [{ asn: 'AS65004' }, { asn: 65005, match: 'sideways' }],
      traffic: { format: 'netflow', command: [] },
      churn: { window: '5m' },
    },
  });
  assert.equal(r.ok, false);
  const lines = r.ok ? [] : r.problems;
  const expect = [
    /^auto_targets\.interval: expected a duration like "5m" .*got "often"/,
    /^auto_targets\.max_targets: expected an integer from 1 to 100000, got 0/,
    /^auto_targets\.static\[0\]: expected a CIDR prefix with no host bits set \(did you mean "198\.51\.100\.0\/24"\?\), got "198\.51\.100\.1\/24"/,
    /^auto_targets\.churn\.window: expected a duration like "5m" .*at least 1h.*got "5m"/,
    /^auto_targets\.asn\[0\]\.asn: expected an integer from 1 to 4294967295, got "AS65004"/,
    /^auto_targets\.asn\[1\]\.match: expected one of "origin", "upstream", got "sideways"/,
    /^auto_targets\.traffic\.format: expected one of "auto", "csv", "json", "nfdump", "pmacct", got "netflow"/,
  ];
  for (const re of expect) assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${lines.join('\n')}`);
  assert.ok(lines.every((l) => !l.includes('\n')), 'one line each');
});

test('cross-key rules: needs probe.allowed; needs a source; an empty command', () => {
  const r = load({ auto_targets: { enabled: true, churn: { enabled: false }, traffic: { command: [] } } });
  assert.equal(r.ok, false);
  const lines = r.ok ? [] : r.problems;
  assert.ok(lines.some((l) => /^auto_targets\.enabled: expected probe\.allowed listing where auto targets may be .*got probe\.allowed = \[\]/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^auto_targets: expected at least one source: churn, \[\[auto_targets\.asn\]\], static or traffic/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^auto_targets\.traffic\.command: expected a program and its arguments/.test(l)), lines.join('\n'));
  const ok = load({ probe: { allowed: ['198.51.100.0/24'] }, auto_targets: { enabled: true } });
  assert.ok(ok.ok, ok.ok ? '' : ok.problems.join('\n'));
});
