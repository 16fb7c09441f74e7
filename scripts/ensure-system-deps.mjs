#!/usr/bin/env node
// Before `npm test`: if the tools the lab tests need are missing and we are root on a
// Debian-like machine, install them with scripts/system-deps.sh. Otherwise only say what
// is missing; the tests that need it then skip (or fail under SMOKETRACE_REQUIRE_LAB=1).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const tools = ['bgpdump', 'bzip2', 'ip', 'vtysh', 'mtr', 'scamper', 'traceroute', 'gobgpd', 'chromium'];
const found = (t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t], { stdio: 'ignore' }).status === 0;
const missing = tools.filter((t) => !found(t) && !existsSync(`/usr/sbin/${t}`) && !existsSync(`/usr/lib/frr/${t}`));
if (missing.length === 0) process.exit(0);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get') && process.env.SMOKETRACE_NO_SYSTEM_DEPS !== '1') {
  console.error(`ensure-system-deps: missing ${missing.join(', ')}; installing with scripts/system-deps.sh`);
  const r = spawnSync('bash', ['scripts/system-deps.sh'], { stdio: 'inherit' });
  if (r.status !== 0) console.error('ensure-system-deps: install failed; the tests that need these tools will say so');
} else {
  console.error(`ensure-system-deps: missing ${missing.join(', ')}; tests that need them will be skipped`);
}
