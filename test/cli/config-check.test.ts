import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packagedExample } from '../../src/config/load.ts';
import { runCli, tempDir } from './cli-process.ts';

test('config check passes on config.example.toml', () => {
  const r = runCli(['config', 'check', packagedExample]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^config OK: ${packagedExample.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  assert.match(r.stdout, /api: 127\.0\.0\.1:8080, writes disabled \(no api\.token\)/);
  assert.equal(r.stderr, '');
});

test('config check reports every problem at once, one line each, with status 2', (t) => {
  const file = join(tempDir(t), 'bad.toml');
  writeFileSync(
    file,
    [
      '[api]',
      'listen = "localhost"', // bad listen address
      'tokn = "x"', // unknown key
      '[storage]',
      'retention = 90', // wrong type
      '[probe]',
      'interval = "fast"', // bad duration
      'allowed = ["10.0.0.0/8", "2001:db8::/129"]', // bad CIDR
      '',
    ].join('\n'),
  );
  const r = runCli(['config', 'check', file]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'api.tokn: expected a key of [api] (one of listen, token), got an unknown key (did you mean "token"?)',
    'api.listen: expected an address like "127.0.0.1:8080" or "[::1]:8080", got "localhost"',
    'storage.retention: expected a duration like "5m" (units ms, s, m, h, d, w; at least 1d), got 90',
    'probe.interval: expected a duration like "5m" (units ms, s, m, h, d, w; at least 10s), got "fast"',
    'probe.allowed[1]: expected a CIDR prefix like "192.0.2.0/24" or "2001:db8::/32", got "2001:db8::/129"',
    `smoketrace: ${file}: 5 problems in the config; nothing was started`,
  ]);
});

test('config check applies --set like the file: it can fix a value, or be the problem', (t) => {
  const file = join(tempDir(t), 'c.toml');
  writeFileSync(file, '[probe]\ninterval = "fast"\n');
  const fixed = runCli(['config', 'check', file, '--set', 'probe.interval=10m', '--set', 'api.listen=[::1]:9090']);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.match(fixed.stdout, /api: \[::1\]:9090/);
  const broken = runCli(['config', 'check', '--config', file, '--set', 'probe.interval=10m', '--set', 'storage.retention=soon']);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /^storage\.retention \(from --set\): expected a duration like "5m" .*, got "soon"$/m);
});

test('config check on a missing file or broken TOML is one line and status 2', (t) => {
  const dir = tempDir(t);
  const missing = runCli(['config', 'check', join(dir, 'nope.toml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.toml: cannot read the config file/);
  writeFileSync(join(dir, 'broken.toml'), '[api\nlisten = 1\n');
  const broken = runCli(['config', 'check', join(dir, 'broken.toml')]);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /^.*broken\.toml:1:\d+: invalid TOML: .*$/m);
});

test('SMOKETRACE_API_TOKEN is checked like api.token and never printed', () => {
  const r = runCli(['config', 'check', packagedExample], { env: { SMOKETRACE_API_TOKEN: 'tiny' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^api\.token \(from SMOKETRACE_API_TOKEN\): expected a string of at least 16 characters, got a secret of 4 characters \(not shown\)$/m);
  assert.doesNotMatch(r.stderr, /tiny/);
  const ok = runCli(['config', 'check', packagedExample], { env: { SMOKETRACE_API_TOKEN: 'a-long-enough-token-value' } });
  assert.equal(ok.status, 0);
  assert.match(ok.stdout, /writes need the bearer token/);
  assert.doesNotMatch(ok.stdout, /a-long-enough-token-value/);
});
