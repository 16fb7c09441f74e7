// Runs the real `smoketrace` command (bin/smoketrace.js) as an operator would.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/requirements.ts';

export const bin = join(repoRoot, 'bin', 'smoketrace.js');

/** The test's environment without a token that would change what the command sees. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('SMOKETRACE_API_TOKEN' in extra)) delete env.SMOKETRACE_API_TOKEN;
  return env;
}

export function tempDir(t: { after(fn: () => void): void }, name = 'cli'): string {
  const dir = mkdtempSync(join(tmpdir(), `smoketrace-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Ran {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: cleanEnv(opts.env),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Serving {
  readonly proc: ChildProcess;
  readonly url: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (null if killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `smoketrace serve ARGS` and resolves once it logs "listening on URL" (within `withinMs`). */
export function startServe(
  t: { after(fn: () => void): void },
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string>; withinMs?: number },
): Promise<Serving> {
  const proc = spawn(process.execPath, [bin, 'serve', ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave a server behind, whatever the test did: only this process, by its PID.
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within ${opts.withinMs ?? 10_000} ms:\n${out}`)), opts.withinMs ?? 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s"]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], output: () => out, exited });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (code ${code}, signal ${signal}) before listening:\n${out}`));
    });
  });
}

/** Waits for the process to exit, failing after `ms`. */
export async function exitWithin(s: Serving, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not exit within ${ms} ms:\n${s.output()}`)), ms);
  });
  try {
    return await Promise.race([s.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
