// The scamper backend's process handling without the lab: a stand-in "scamper" (a shell
// script via opts.binary) shows what environment the real one would get. Loopback only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScamperBackend } from '../../src/probe/backends/scamper.ts';
import { needTool } from '../helpers/requirements.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** PIDs of live processes whose command line names something under `dir` (its control socket). */
async function processesUsing(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${e}/stat`, 'utf8').catch(() => '');
    if (cmd.split('\0').some((a) => a.startsWith(dir)) && !/\) Z /.test(stat)) out.push(Number(e));
  }
  return out;
}

/** A stand-in scamper: opens the -U control socket and waits, like the real one. */
async function fakeScamper(dir: string): Promise<string> {
  const js = join(dir, 'fake-scamper.mjs');
  await writeFile(
    js,
    `#!${process.execPath}\nimport { createServer } from 'node:net';\nconst path = process.argv[process.argv.indexOf('-U') + 1];\ncreateServer(() => {}).listen(path);\nsetInterval(() => {}, 1000);\n`,
  );
  await chmod(js, 0o755);
  return js;
}

/** start(), then stop() after `wait` (undefined: at once, in the same tick); afterwards no scamper may live. */
async function startThenStop(dir: string, binary: string | undefined, wait: number | undefined): Promise<string> {
  const runDir = await mkdtemp(join(dir, 'run-'));
  const b = new ScamperBackend({ ...(binary ? { binary } : {}), runDir, startTimeoutMs: 5_000, restartMinMs: 60_000 });
  const started = b.start().then(
    () => 'resolved',
    (e: Error) => `rejected: ${e.message}`,
  );
  if (wait !== undefined) await sleep(wait);
  await b.stop();
  const how = await started;
  await sleep(100);
  const left = await processesUsing(runDir);
  for (const pid of left) process.kill(pid, 'SIGKILL'); // do not leak it past a failing test
  assert.deepEqual(left, [], `stop() after ${wait ?? 'no'} ms left scamper running (start ${how})`);
  assert.equal(b.health().state, 'stopped', `state after stop() at ${wait ?? 'no'} ms`);
  assert.equal(b.pid, undefined, 'no pid after stop()');
  return how;
}

describe('scamper backend', () => {
  it('stop() while start() is still launching leaves no scamper behind (stand-in scamper, every step of launch)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smoketrace-scamper-stop-'));
    try {
      const fake = await fakeScamper(dir);
      for (const wait of [undefined, 0, 1, 5, 20, 40, 80, 150]) {
        const how = await startThenStop(dir, fake, wait);
        assert.equal(how, 'resolved', `start() when stop() came after ${wait ?? 'no'} ms`);
      }
      // And without stop(), the stand-in does come up (the test above tests something).
      const b = new ScamperBackend({ binary: fake, runDir: await mkdtemp(join(dir, 'run-')), restartMinMs: 60_000 });
      await b.start();
      assert.equal(b.health().state, 'up', 'the stand-in scamper came up');
      await b.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stop() right after start() leaves no real scamper behind (loopback only, no trace sent)', async (t) => {
    const scamper = needTool(t, 'scamper');
    if (scamper === undefined) return;
    const dir = await mkdtemp(join(tmpdir(), 'smoketrace-scamper-stop-'));
    try {
      for (const wait of [undefined, 0, 10, 50]) await startThenStop(dir, scamper, wait);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("starts scamper with PATH and the C locale only: none of the service's environment (API token)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smoketrace-scamper-env-'));
    const out = join(dir, 'env.txt');
    const fake = join(dir, 'fake-scamper');
    await writeFile(fake, `#!/bin/sh\nenv > '${out}'\nexit 3\n`);
    await chmod(fake, 0o755);
    process.env.SMOKETRACE_API_TOKEN = 'secret-token-for-the-env-test';
    const b = new ScamperBackend({ binary: fake, startTimeoutMs: 2_000, restartMinMs: 60_000 });
    try {
      await b.start().catch(() => {}); // the stand-in exits: start fails, which is fine here
      const env = (await readFile(out, 'utf8')).split('\n').filter((l) => l !== '');
      const keys = env.map((l) => l.slice(0, l.indexOf('='))).filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_');
      assert.deepEqual(keys.sort(), ['LANG', 'LC_ALL', 'PATH'], `scamper's environment: ${keys.join(', ')}`);
      assert.equal(env.some((l) => l.includes('secret-token-for-the-env-test')), false, 'the API token reached scamper');
    } finally {
      delete process.env.SMOKETRACE_API_TOKEN;
      await b.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
