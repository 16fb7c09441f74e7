// The runner: timeouts kill the child by PID (SIGTERM, then SIGKILL), a missing
// binary is backend-missing, the output cap holds, stderr is classified.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError, classifyStderr, inNetns, run } from '../../src/probe/runner.ts';
import { needRoot } from '../helpers/requirements.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rejects(p: Promise<unknown>): Promise<ProbeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProbeError, `not a ProbeError: ${String(e)}`);
    return e;
  }
  assert.fail('expected a ProbeError');
}

describe('runner', () => {
  it("gives the tool PATH and the C locale only: none of the service's environment (API token)", async () => {
    const lang = process.env.LANG;
    process.env.SMOKETRACE_API_TOKEN = 'secret-token-for-the-env-test';
    process.env.LANG = 'de_DE.UTF-8';
    try {
      const r = await run([process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))']);
      const env = JSON.parse(r.stdout) as Record<string, string>;
      assert.equal(env.SMOKETRACE_API_TOKEN, undefined, 'the API token reached the tool');
      assert.equal(r.stdout.includes('secret-token-for-the-env-test'), false, 'the secret is somewhere in the tool environment');
      assert.deepEqual({ PATH: env.PATH, LANG: env.LANG, LC_ALL: env.LC_ALL }, { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' });
      // Only what node itself may add on start-up besides ours.
      assert.deepEqual(Object.keys(env).filter((k) => !['PATH', 'LANG', 'LC_ALL'].includes(k) && !k.startsWith('NODE_') && k !== 'LD_LIBRARY_PATH'), [], `extra keys: ${Object.keys(env).join(', ')}`);
    } finally {
      delete process.env.SMOKETRACE_API_TOKEN;
      if (lang === undefined) delete process.env.LANG;
      else process.env.LANG = lang;
    }
  });

  it('returns stdout and stderr of a successful run', async () => {
    const r = await run(['sh', '-c', 'echo out; echo err >&2', 'sh']);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.exitCode, 0);
  });

  it('a timeout stops the child (SIGTERM) and reports kind timeout', async () => {
    let pid = 0;
    const t0 = Date.now();
    const e = await rejects(run(['sleep', '30'], { timeoutMs: 200, onSpawn: (p) => (pid = p) }));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /longer than 200 ms.*SIGTERM/);
    assert.ok(pid > 0, 'onSpawn never reported a pid');
    assert.equal(alive(pid), false, 'child still alive after timeout');
    assert.ok(Date.now() - t0 < 5_000, `the timeout took ${Date.now() - t0} ms to stop the child (limit 5 s)`);
  });

  it('a child that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    let pid = 0;
    // exec keeps one PID: the ignored SIGTERM disposition survives exec into sleep.
    const e = await rejects(run(['sh', '-c', 'trap "" TERM; exec sleep 30'], { timeoutMs: 200, killGraceMs: 300, onSpawn: (p) => (pid = p) }));
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /SIGKILL/);
    assert.equal(alive(pid), false);
  });

  it('a missing binary is backend-missing', async () => {
    const e = await rejects(run(['smoketrace-no-such-tool-xyz', '-n']));
    assert.equal(e.kind, 'backend-missing');
    assert.match(e.message, /smoketrace-no-such-tool-xyz is not installed/);
  });

  it('stdout over the cap kills the child and says so', async () => {
    let pid = 0;
    const e = await rejects(run(['yes'], { maxOutputBytes: 10_000, onSpawn: (p) => (pid = p) }));
    assert.equal(e.kind, 'backend-failed');
    assert.match(e.message, /more than 10000 bytes/);
    assert.equal(alive(pid), false);
  });

  it('a non-zero exit is backend-failed with the stderr tail', async () => {
    const e = await rejects(run(['sh', '-c', 'echo "bad thing" >&2; exit 3']));
    assert.equal(e.kind, 'backend-failed');
    assert.match(e.message, /exit status 3: bad thing/);
    assert.deepEqual(e.toJSON(), { kind: 'backend-failed', message: e.message });
  });

  it('permission messages of the tools are backend-permission', async () => {
    const e = await rejects(run(['sh', '-c', 'echo "mtr-packet: Failure to open IPv4 sockets: Permission denied" >&2; exit 1']));
    assert.equal(e.kind, 'backend-permission');
    assert.match(e.message, /CAP_NET_RAW/);
    for (const s of ['socket: Operation not permitted', 'could not open icmp socket', 'You do not have enough privileges to use this traceroute method.']) {
      assert.equal(classifyStderr(s), 'backend-permission', s);
    }
    assert.equal(classifyStderr('exec of "scamper" failed: No such file or directory'), 'backend-missing');
    assert.equal(classifyStderr('some other failure'), undefined);
  });

  it('an abort signal stops the child', async () => {
    const ac = new AbortController();
    let pid = 0;
    setTimeout(() => ac.abort(), 100);
    const e = await rejects(run(['sleep', '30'], { signal: ac.signal, onSpawn: (p) => (pid = p) }));
    assert.equal(e.kind, 'backend-failed');
    assert.match(e.message, /cancelled/);
    assert.equal(alive(pid), false);
  });

  it('netns becomes an ip netns exec prefix; hostile names are refused', () => {
    assert.deepEqual(inNetns(['mtr', '-n'], 'st-probe'), ['ip', 'netns', 'exec', 'st-probe', 'mtr', '-n']);
    assert.deepEqual(inNetns(['mtr']), ['mtr']);
    for (const bad of ['-x', 'a b', 'a/b', '', 'x'.repeat(65), 'a;b']) {
      assert.throws(() => inNetns(['mtr'], bad), (e: unknown) => e instanceof ProbeError && e.kind === 'unsupported');
    }
  });

  it('a missing netns is backend-missing (when ip is there)', async (t) => {
    if (!needRoot(t)) return;
    const e = await rejects(run(['true'], { netns: 'smoketrace-no-such-ns' }));
    assert.equal(e.kind, 'backend-missing');
    assert.match(e.message, /network namespace|not installed/);
  });
});
