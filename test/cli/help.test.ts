import assert from 'node:assert/strict';
import { test } from 'node:test';
import { version } from '../../src/version.ts';
import { runCli } from './cli-process.ts';

test('--version prints the package version', () => {
  const r = runCli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), version);
});

test('every command has --help, and those that read the config take --config and --set', () => {
  const commands: [string[], boolean][] = [
    [[], false],
    [['serve'], true],
    [['config'], false],
    [['config', 'check'], true],
    [['db'], false],
    [['db', 'migrate'], true],
  ];
  for (const [cmd, readsConfig] of commands) {
    const r = runCli([...cmd, '--help']);
    assert.equal(r.status, 0, cmd.join(' '));
    assert.match(r.stdout, new RegExp(`^Usage: smoketrace${cmd.length ? ` ${cmd.join(' ')}` : ''} `), cmd.join(' '));
    if (readsConfig) {
      assert.match(r.stdout, /--config <file>/, cmd.join(' '));
      assert.match(r.stdout, /--set <key=value>/, cmd.join(' '));
    }
  }
});

test('a usage error is status 2', () => {
  assert.equal(runCli(['no-such-command']).status, 2);
  const r = runCli(['serve', '--no-such-option']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--no-such-option'/);
});
