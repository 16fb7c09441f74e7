#!/usr/bin/env node
// Before `npm test`: if any Debian package the tests and the lab need is missing and we
// are root on a Debian-like machine, install them with scripts/system-deps.sh. The list
// is read from that script, so the two never disagree. Elsewhere, only say what is
// missing; the tests that need it then skip (or fail under SMOKETRACE_REQUIRE_LAB=1).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const script = readFileSync(new URL('./system-deps.sh', import.meta.url), 'utf8');
const block = /packages=\(([\s\S]*?)\n\)/.exec(script);
if (!block) {
  console.error('ensure-system-deps: cannot read the package list in scripts/system-deps.sh');
  process.exit(1);
}
const packages = block[1]
  .split('\n')
  .map((line) => line.replace(/#.*/, '').trim())
  .flatMap((line) => line.split(/\s+/))
  .filter(Boolean);

if (!existsSync('/usr/bin/dpkg-query')) {
  console.error(`ensure-system-deps: not a Debian-like machine; tests need: ${packages.join(' ')}`);
  process.exit(0);
}
const installed = (p) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout?.includes('install ok installed');
const missing = packages.filter((p) => !installed(p));
if (missing.length === 0) process.exit(0);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get') && process.env.SMOKETRACE_NO_SYSTEM_DEPS !== '1') {
  console.error(`ensure-system-deps: missing ${missing.join(', ')}; installing with scripts/system-deps.sh`);
  const r = spawnSync('bash', [new URL('./system-deps.sh', import.meta.url).pathname], { stdio: 'inherit' });
  if (r.status !== 0) console.error('ensure-system-deps: install failed; the tests that need these packages will say so');
} else {
  console.error(`ensure-system-deps: missing ${missing.join(', ')}; tests that need them will be skipped`);
}
