import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type LoadOptions, fromRaw, loadConfig, packagedExample, resolveConfigPath } from '../../src/config/load.ts';
import { parseDuration, parseListen } from '../../src/config/values.ts';
import { formatAddress } from '../../src/model/address.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { parse } from 'smol-toml';

const source = { path: 'test.toml', how: 'given' as const };

/** Validates TOML text with no environment; returns the config or the problem lines. */
function check(toml: string, opts: LoadOptions = {}) {
  return fromRaw(parse(toml), { env: {}, ...opts }, source);
}

function problems(toml: string, opts: LoadOptions = {}): readonly string[] {
  const r = check(toml, opts);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : r.problems;
}

test('an empty file gives the documented defaults', () => {
  const r = check('');
  assert.ok(r.ok, r.ok ? '' : `an empty config was rejected: ${r.problems.join('; ')}`);
  const c = r.config;
  assert.deepEqual(c.api.listen, { host: '127.0.0.1', port: 8080, text: '127.0.0.1:8080' });
  assert.equal(c.api.token, undefined);
  assert.equal(c.storage.path, 'data/smoketrace.sqlite');
  assert.equal(c.storage.retention, 90 * 86_400_000);
  assert.equal(c.log.level, 'info');
  assert.equal(c.bmp.listen.text, '127.0.0.1:11019');
  assert.deepEqual(c.bmp.allow.map(formatPrefix), ['127.0.0.0/8', '::1/128']);
  assert.equal(c.bmp.max_message_bytes, 1_048_576);
  assert.equal(c.ris.enabled, false);
  assert.equal(c.ris.url.href, 'wss://ris-live.ripe.net/v1/ws/');
  assert.equal(c.probe.interval, 5 * 60_000);
  assert.equal(c.probe.backend, 'mtr');
  assert.deepEqual(c.probe.allowed, []);
  assert.deepEqual(c.targets, []);
  assert.deepEqual(c.email.to, []);
  assert.equal(c.webhook.url, undefined);
});

test('durations', () => {
  const good: [string, number][] = [['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['7d', 604_800_000], ['1h30m', 5_400_000], ['250ms', 250], ['2w', 1_209_600_000]];
  for (const [s, ms] of good) assert.equal(parseDuration(s), ms, s);
  for (const bad of ['', 'fast', '5', 'm', '5 m', '-5m', '1.5h', '5M', '5mins']) assert.equal(parseDuration(bad), undefined, bad);
});

test('listen addresses', () => {
  assert.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080, text: '[::1]:8080' });
  assert.deepEqual(parseListen('0.0.0.0:0'), { host: '0.0.0.0', port: 0, text: '0.0.0.0:0' });
  assert.equal(parseListen('localhost:80')?.host, 'localhost');
  for (const bad of ['8080', '127.0.0.1', '127.0.0.1:65536', '::1:8080', '[127.0.0.1]:80', 'example.com:80', '[::1]', '1.2.3.4:-1', ' 1.2.3.4:80']) {
    assert.equal(parseListen(bad), undefined, bad);
  }
});

test('each kind of mistake is one line naming key, expectation and value, all at once', () => {
  const lines = problems(`
[api]
listn = "127.0.0.1:8080"
listen = "127.0.0.1"
[storage]
path = 42
[probe]
interval = "fast"
allowed = ["10.0.0.0/8", "10.0.0.0/33", "192.168.1.1/24"]
[loggin]
`);
  assert.deepEqual(lines, [
    'loggin: expected a section (one of api, storage, log, bmp, ris, rib, probe, correlate, targets, auto_targets, email, webhook, alert), got an unknown key (did you mean "log"?)',
    'api.listn: expected a key of [api] (one of listen, token), got an unknown key (did you mean "listen"?)',
    'api.listen: expected an address like "127.0.0.1:8080" or "[::1]:8080", got "127.0.0.1"',
    'storage.path: expected a non-empty string, got 42',
    'probe.interval: expected a duration like "5m" (units ms, s, m, h, d, w; at least 10s), got "fast"',
    'probe.allowed[1]: expected a CIDR prefix like "192.0.2.0/24" or "2001:db8::/32", got "10.0.0.0/33"',
    'probe.allowed[2]: expected a CIDR prefix with no host bits set (did you mean "192.168.1.0/24"?), got "192.168.1.1/24"',
  ]);
});

test('a section written as a value, and [[tables]] written as a value, are named', () => {
  assert.deepEqual(problems('api = "x"\ntargets = "y"'), [
    'api: expected a table [api], got "x"',
    'targets: expected a list of tables written [[targets]], got "y"',
  ]);
});

test('targets take [probe] defaults and must be inside probe.allowed, with unique names', () => {
  const base = '[probe]\ninterval = "2m"\nbackend = "scamper"\nallowed = ["192.0.2.0/24", "2001:db8::/32"]\n';
  const r = check(`${base}[[targets]]\naddress = "192.0.2.7"\n[[targets]]\naddress = "2001:db8::1"\nname = "v6"\ninterval = "30s"\nbackend = "mtr"\n`);
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.deepEqual(
    r.config.targets.map((t) => [formatAddress(t.address), t.name, t.interval, t.backend]),
    [
      ['192.0.2.7', '192.0.2.7', 120_000, 'scamper'],
      ['2001:db8::1', 'v6', 30_000, 'mtr'],
    ],
  );
  assert.deepEqual(problems(`${base}[[targets]]\naddress = "198.51.100.1"\n[[targets]]\naddress = "192.0.2.1"\nname = "a"\n[[targets]]\naddress = "192.0.2.2"\nname = "a"\n`), [
    'targets[0].address: expected an address inside probe.allowed (192.0.2.0/24, 2001:db8::/32), got "198.51.100.1"',
    'targets[2].name: expected a name no other target has, got "a"',
  ]);
  assert.deepEqual(problems('[[targets]]\nname = "x"\nadress = "192.0.2.1"\n'), [
    'targets[0].adress: expected a key of [targets] (one of address, name, interval, backend), got an unknown key (did you mean "address"?)',
    'targets[0].address: expected an IP address like "192.0.2.1" or "2001:db8::1", got nothing',
  ]);
});

test('email needs from and to once smtp is set; ris needs a subscription once enabled', () => {
  assert.deepEqual(problems('[email]\nsmtp = "smtp://mail.example.net:587"\n[ris]\nenabled = true\n'), [
    'ris.subscribe: expected at least one [[ris.subscribe]] table (ris.enabled is true), got none',
    'email.from: expected an email address (email.smtp is set), got nothing',
    'email.to: expected at least one email address (email.smtp is set), got []',
  ]);
});

test('secrets never appear in problem lines', () => {
  const token = 'short-secret';
  const lines = problems(`[api]\ntoken = "${token}"\n[email]\nsmtp = "smtpz://alerts:hunter2@mail.example.net"\n[webhook]\nurl = "gopher://hooks.example.net/T0/B0/s3cr3t"\n`);
  const text = lines.join('\n');
  for (const secret of [token, 'hunter2', 's3cr3t']) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  assert.deepEqual(lines, [
    'api.token: expected a string of at least 16 characters, got a secret of 12 characters (not shown)',
    'email.smtp: expected a URL starting with smtp:// or smtps://, got "smtpz://alerts:***@mail.example.net"',
    'webhook.url: expected a URL starting with http:// or https://, got "gopher://hooks.example.net/***"',
  ]);
});

test('--set overrides the file and is validated like it, saying where the value came from', () => {
  const file = '[probe]\ninterval = "fast"\n';
  const r = check(file, { sets: ['probe.interval=10m', 'api.listen=127.0.0.1:9090', 'storage.path=/var/lib/smoketrace/db.sqlite', 'bmp.max_message_bytes=65536'] });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.equal(r.config.probe.interval, 600_000);
  assert.equal(r.config.api.listen.port, 9090);
  assert.equal(r.config.storage.path, '/var/lib/smoketrace/db.sqlite');
  assert.equal(r.config.bmp.max_message_bytes, 65_536);

  assert.deepEqual(problems('', { sets: ['probe.interval=1y', 'api.lisen=x', 'bmp.max_message_bytes="big"', 'oops'] }), [
    '--set "oops": expected KEY=VALUE with a dotted key like api.listen=127.0.0.1:9090, got "oops"',
    'api.lisen (from --set): expected a key of [api] (one of listen, token), got an unknown key (did you mean "listen"?)',
    'bmp.max_message_bytes (from --set): expected an integer from 4096 to 16777216, got "big"',
    'probe.interval (from --set): expected a duration like "5m" (units ms, s, m, h, d, w; at least 10s), got "1y"',
  ]);
  assert.deepEqual(problems('', { sets: ['api.listen.port=1'] }), [
    'api.listen.port (from --set): expected api.listen to be a table, got a value',
  ]);
});

test('--set values: TOML when they parse, else strings; a token of digits stays a string; a list takes one item', () => {
  const r = check('', {
    sets: [
      'api.token=12345678901234567890',
      'email.smtp=smtp://mail.example.net',
      'email.from=smoketrace@example.net',
      'email.to=noc@example.net',
      'probe.allowed=["192.0.2.0/24"]',
      'ris.enabled=false',
    ],
  });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.equal(r.config.api.token, '12345678901234567890');
  assert.deepEqual(r.config.email.to, ['noc@example.net']);
  assert.deepEqual(r.config.probe.allowed.map(formatPrefix), ['192.0.2.0/24']);
});

test('the token comes from SMOKETRACE_API_TOKEN over the file, and --set over both', () => {
  const file = '[api]\ntoken = "from-the-file-0123456789"\n';
  const env = { SMOKETRACE_API_TOKEN: 'from-the-environment-0123' };
  const fromEnv = check(file, { env });
  assert.ok(fromEnv.ok, fromEnv.ok ? '' : `config rejected: ${fromEnv.problems.join('; ')}`);
  assert.equal(fromEnv.config.api.token, 'from-the-environment-0123');
  const fromSet = check(file, { env, sets: ['api.token=from-the-command-line-0123'] });
  assert.ok(fromSet.ok, fromSet.ok ? '' : `config rejected: ${fromSet.problems.join('; ')}`);
  assert.equal(fromSet.config.api.token, 'from-the-command-line-0123');
  assert.deepEqual(problems('', { env: { SMOKETRACE_API_TOKEN: 'short' } }), [
    'api.token (from SMOKETRACE_API_TOKEN): expected a string of at least 16 characters, got a secret of 5 characters (not shown)',
  ]);
});

test('the file: unreadable and invalid TOML are one line each, with where', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = loadConfig({ file: join(dir, 'nope.toml'), env: {} });
  assert.ok(!missing.ok, 'a missing config file should be an error');
  assert.match(missing.problems[0], /nope\.toml: cannot read the config file \(ENOENT/);
  writeFileSync(join(dir, 'bad.toml'), '[api]\nlisten = "127.0.0.1:8080\n');
  const bad = loadConfig({ file: join(dir, 'bad.toml'), env: {} });
  assert.ok(!bad.ok, 'invalid TOML should be an error');
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0], /bad\.toml:2:\d+: invalid TOML: /);
});

test('with no --config: config.toml in the working directory, else config.example.toml', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-resolve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(resolveConfigPath(undefined, dir), { path: packagedExample, how: 'example' });
  writeFileSync(join(dir, 'config.example.toml'), '');
  assert.deepEqual(resolveConfigPath(undefined, dir), { path: join(dir, 'config.example.toml'), how: 'example' });
  writeFileSync(join(dir, 'config.toml'), '');
  assert.deepEqual(resolveConfigPath(undefined, dir), { path: join(dir, 'config.toml'), how: 'config.toml' });
  mkdirSync(join(dir, 'etc'));
  assert.deepEqual(resolveConfigPath('etc/st.toml', dir), { path: join(dir, 'etc', 'st.toml'), how: 'given' });
});
