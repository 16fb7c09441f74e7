// Reading the traffic export: a file larger than the cap is refused with its size (not
// read whole into memory); a command runs through the runner it is given (service.ts
// passes the probe runner), with the timeout and the same output cap; and nothing under
// src/targets imports probe/ (data flows targets -> probe, never back).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { type CommandRunner, readTraffic } from '../../../src/targets/auto/sources.ts';

const CAP = 64 * 1024 * 1024;
const base = { format: 'csv', side: 'dst', metric: 'bytes', timeoutMs: 5000 } as const;
const neverRun: CommandRunner = async () => {
  throw new Error('no command should run');
};

test('a traffic export file above 64 MiB is refused with its size; one at the cap is read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-traffic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.csv');
  writeFileSync(big, 'dst_ip,bytes\n203.0.113.7,1000\n');
  truncateSync(big, CAP + 1); // sparse: no disk use
  await assert.rejects(readTraffic({ ...base, file: big }, neverRun), { message: `${big} is ${CAP + 1} bytes, more than the 64 MiB a traffic export may be` });
  const small = join(dir, 'top.csv');
  writeFileSync(small, 'dst_ip,bytes\n203.0.113.7,1000\n198.51.100.9,20\n');
  const r = await readTraffic({ ...base, file: small }, neverRun);
  assert.deepEqual(
    r?.rows.map((x) => [x.key, x.value]),
    [
      ['203.0.113.7', 1000],
      ['198.51.100.9', 20],
    ],
  );
});

test('a traffic command runs through the given runner, with its timeout and the 64 MiB output cap', async () => {
  const calls: { argv: readonly string[]; opts: { timeoutMs: number; maxOutputBytes: number } }[] = [];
  const runner: CommandRunner = async (argv, opts) => {
    calls.push({ argv, opts });
    return { stdout: 'dst_ip,bytes\n203.0.113.7,1000\n' };
  };
  const r = await readTraffic({ ...base, command: ['nfdump', '-R', '/var/flows', '-o', 'csv'] }, runner);
  assert.deepEqual(calls, [{ argv: ['nfdump', '-R', '/var/flows', '-o', 'csv'], opts: { timeoutMs: 5000, maxOutputBytes: CAP } }]);
  assert.equal(r?.rows.length, 1);
});

test('src/targets imports nothing from probe/', () => {
  const root = join(import.meta.dirname, '../../../src/targets');
  const offenders: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'([^']+)'/g)) if (/(^|\/)probe\//.test(m[1])) offenders.push(`${relative(root, p)}: ${m[1]}`);
      }
    }
  };
  walk(root);
  assert.deepEqual(offenders, []);
});
