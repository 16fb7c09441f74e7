// SIGKILL in the middle of writes must leave a database that opens, passes
// integrity_check and still holds every row whose commit was reported.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';

const child = join(import.meta.dirname, 'writer-child.ts');

/** Starts the writer, waits until `commits` commits are reported, SIGKILLs it; returns the last id reported. */
function writeThenKill(dbPath: string, run: number, commits: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dbPath, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let lastId = 0;
    let seen = 0;
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`writer reported only ${seen} commits in 20 s; stderr: ${stderr}`));
    }, 20_000);
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = /^committed (\d+)$/.exec(line);
        if (!m) continue;
        lastId = Number(m[1]);
        if (++seen === commits) proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(lastId);
      else reject(new Error(`writer exited by itself (code ${code}); stderr: ${stderr}`));
    });
  });
}

test('SIGKILL during writes leaves a sound database with every reported commit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'db.sqlite');
  const logger = createLogger({ level: 'silent' });
  let lastReported = 0;
  for (const [run, commits] of [15, 40, 101, 250].entries()) {
    const last = await writeThenKill(dbPath, run, commits);
    assert.ok(last > lastReported, 'the writer made progress');
    lastReported = last;
    const store = new Store({ path: dbPath, version: 'test', logger });
    await store.start();
    try {
      assert.deepEqual(store.integrityCheck(), ['ok']);
      // Ids are assigned 1, 2, 3 ... so every id up to the last reported one must be there.
      const gaps = await store.feedGaps.list({ limit: lastReported + 10_000 });
      assert.equal(gaps.filter((g) => g.id <= lastReported).length, lastReported, `rows 1..${lastReported} survived the kill`);
      // A write is one transaction: after the kill it is there whole (1 or 200 rows) or not at all.
      const perWrite = new Map<string, number>();
      for (const g of gaps) perWrite.set(g.source, (perWrite.get(g.source) ?? 0) + 1);
      for (const [source, n] of perWrite) assert.ok(n === 1 || n === 200, `${source} has ${n} rows`);
    } finally {
      await store.stop();
    }
  }
});
