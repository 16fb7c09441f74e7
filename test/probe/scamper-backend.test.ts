// The scamper backend's process handling without the lab: a stand-in "scamper" (a shell
// script via opts.binary) shows what environment the real one would get. Loopback only.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScamperBackend } from '../../src/probe/backends/scamper.ts';

describe('scamper backend', () => {
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
