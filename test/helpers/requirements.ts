// What a test needs from the machine. Where a tool, root or the shared fixtures are
// missing, the test is skipped with a clear reason; under SMOKETRACE_REQUIRE_LAB=1 (CI)
// a missing requirement fails the test instead, so a green CI run never hides a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedFixtures = process.env.SMOKETRACE_FIXTURES ?? resolve(repoRoot, '..', 'shared', 'fixtures');
export const requireLab = process.env.SMOKETRACE_REQUIRE_LAB === '1';
/** Outputs the lab on this machine produced: ../shared/lab/samples, or $SMOKETRACE_LAB_SAMPLES. */
export const labSamples = process.env.SMOKETRACE_LAB_SAMPLES ?? resolve(repoRoot, '..', 'shared', 'lab', 'samples');

const toolCache = new Map<string, string | undefined>();

/** Absolute path of an executable on PATH (or /usr/sbin, /usr/lib/frr), or undefined. */
export function findTool(name: string): string | undefined {
  if (toolCache.has(name)) return toolCache.get(name);
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  let path = r.status === 0 ? r.stdout.trim() : undefined;
  if (!path) path = ['/usr/sbin', '/usr/lib/frr'].map((d) => join(d, name)).find((p) => existsSync(p));
  toolCache.set(name, path);
  return path;
}

/** Skips (or, under SMOKETRACE_REQUIRE_LAB=1, fails) unless `ok`. Returns `ok`. */
export function requirement(t: TestContext, ok: boolean, why: string): boolean {
  if (ok) return true;
  if (requireLab) throw new Error(`required by SMOKETRACE_REQUIRE_LAB=1 but missing: ${why}`);
  t.skip(`skipped: ${why}`);
  return false;
}

export function needTool(t: TestContext, name: string): string | undefined {
  const p = findTool(name);
  return requirement(t, p !== undefined, `${name} is not installed (scripts/system-deps.sh installs it)`) ? p : undefined;
}

/** Path of a file under ../shared/fixtures, or undefined (test skipped) when absent. */
export function needFixture(t: TestContext, rel: string): string | undefined {
  const p = join(sharedFixtures, rel);
  return requirement(t, existsSync(p), `fixture ${p} not found (../shared/fixtures is absent)`) ? p : undefined;
}

/** Path of a lab sample (see labSamples), or undefined (test skipped) when absent. */
export function needLabSamplePath(t: TestContext, name: string): string | undefined {
  const p = join(labSamples, name);
  const where = process.env.SMOKETRACE_LAB_SAMPLES === undefined ? 'the default ../shared/lab/samples; set SMOKETRACE_LAB_SAMPLES to use another folder' : 'from SMOKETRACE_LAB_SAMPLES';
  return requirement(t, existsSync(p), `lab sample ${name} not found in the lab samples folder ${labSamples} (${where})`) ? p : undefined;
}

export function needRoot(t: TestContext): boolean {
  return requirement(t, process.getuid?.() === 0, 'needs root (network namespaces)');
}
