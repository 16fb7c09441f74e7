// Benchmark: `smoketrace mrt dump --format bgpdump FILE > /dev/null` against
// `bgpdump -m FILE > /dev/null`, in the same run, on the largest fixtures, on a synthetic
// TABLE_DUMP_V2 RIB of ~1.05M entries and on a synthetic gzipped BGP4MP update file of
// ~1.05M lines (bench/mrt-synth.ts; both checked byte-equal to bgpdump's output with cmp);
// plus the decode rate to RouteEvents with no output at all.
// Run: node --import tsx bench/mrt-dump.ts
// RUNS=N: runs per tool (default 5). BASELINE=DIR: also run DIR/dist/cli.js (an older
// build, e.g. `git archive` of an earlier commit, built) interleaved with the other two.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MrtFramer } from '../src/codec/mrt/framing.ts';
import { mrtRouteEvents } from '../src/codec/mrt/route-events.ts';
import { repoRoot, sharedFixtures } from '../test/helpers/requirements.ts';
import { writeSyntheticRib, writeSyntheticUpdates } from './mrt-synth.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const synth = '/tmp/smoketrace-bench-rib.mrt';
process.stdout.write('writing synthetic RIB... ');
const entries = writeSyntheticRib(synth);
console.log(`${entries} entries, ${(statSync(synth).size / 1e6).toFixed(1)} MB`);
// The update file takes ~30 s to write (and gzip), so it is kept; the name carries the
// generator's version.
const synthUpd = '/tmp/smoketrace-bench-updates-v1.gz';
if (!existsSync(synthUpd)) {
  process.stdout.write('writing synthetic BGP4MP updates... ');
  writeSyntheticUpdates(`${synthUpd}.part`);
  renameSync(`${synthUpd}.part`, synthUpd);
}
console.log(`synthetic updates: ${(statSync(synthUpd).size / 1e6).toFixed(1)} MB gzipped`);

// An empty file: what each tool costs before the first record (Node: start-up and
// loading the bundle).
const empty = '/tmp/smoketrace-bench-empty.mrt';
writeFileSync(empty, new Uint8Array(0));

const files = [
  empty,
  synth,
  synthUpd,
  join(sharedFixtures, 'pyasn/rib.20140523.0600_firstMB.bz2'),
  join(sharedFixtures, 'bgpdump/updates.20070211.0141.gz'),
  join(sharedFixtures, 'bgpdump/updates.20160811.1600.gz'),
].filter(existsSync);

// The bundle bin/smoketrace.js runs when dist/ is up to date (scripts/build.mjs). Built
// here and run directly, so that someone editing src/ during the run cannot make bin/
// fall back to tsx half-way through.
spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
const cli = [join(repoRoot, 'dist/cli.js')];
const baseline = process.env.BASELINE ? [join(process.env.BASELINE, 'dist/cli.js')] : undefined;

// Our output must be bgpdump's, byte for byte, on the synthetic files (the fixtures are
// checked by test/cli/mrt-dump.test.ts).
for (const f of [synth, synthUpd]) {
  const r = spawnSync('bash', ['-c', 'cmp <(bgpdump -m "$1" 2>/dev/null) <("$2" "$3" mrt dump --format bgpdump "$1")', 'cmp', f, process.execPath, cli[0]], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${f}: our output differs from bgpdump -m: ${r.stdout}${r.stderr}`);
  console.log(`cmp ${f}: identical to bgpdump -m`);
}

/** CPU seconds (user + system) of waited-for children so far, from /proc (10 ms ticks). */
function childCpu(): number {
  const f = readFileSync('/proc/self/stat', 'latin1');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime
}

/** Best wall-clock ms and best CPU ms over `runs` runs, plus the worst wall (for the spread). */
function best(cmd: string, args: string[], runs: number): { wall: number; cpu: number; worst: number } {
  let wall = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < runs; i++) {
    const devnull = openSync('/dev/null', 'w');
    const c0 = childCpu();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', devnull, 'ignore'], cwd: repoRoot });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    closeSync(devnull);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    wall = Math.min(wall, ms);
    worst = Math.max(worst, ms);
    cpu = Math.min(cpu, (childCpu() - c0) * 1000);
  }
  return { wall, cpu, worst };
}

/**
 * Decode only: frame, decode every record to RouteEvents (convertRaw: what MrtFileFeed
 * does, = convert(decodeMrtRecord(raw)) without the intermediate record); no output.
 */
function decodeRate(file: string): { events: number; ms: number; cpu: number } {
  const buf = file.endsWith('.mrt') ? readFileSync(file) : undefined;
  if (!buf) return { events: 0, ms: 0, cpu: 0 };
  let best = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  let events = 0;
  for (let i = 0; i < RUNS; i++) {
    const conv = mrtRouteEvents({ router: 'bench', received: () => 0 });
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    let n = 0;
    const f = new MrtFramer();
    f.push(buf, (raw) => {
      n += conv.convertRaw(raw).length;
    });
    f.end();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
    events = n;
  }
  return { events, ms: best, cpu };
}

/** ours / theirs, or "-" when theirs is too small to divide by (the empty file). */
function ratio(ours: number, theirs: number): string {
  return theirs >= 10 ? (ours / theirs).toFixed(2) : '-';
}

console.log(`best of ${RUNS} (worst in brackets); ours = node ${cli.join(' ')} mrt dump --format bgpdump FILE > /dev/null; cpu = user + system`);
if (baseline) console.log(`baseline = node ${baseline.join(' ')} (same arguments)`);
console.log(
  `| file | lines | bgpdump -m wall ms | smoketrace wall ms | ours/bgpdump wall | bgpdump cpu ms | smoketrace cpu ms | ours/bgpdump cpu |${baseline ? ' baseline wall ms | baseline cpu ms |' : ''}`,
);
console.log(`|---|---|---|---|---|---|---|---|${baseline ? '---|---|' : ''}`);
for (const f of files) {
  const lines = spawnSync('bgpdump', ['-m', f], { maxBuffer: 1 << 30 }).stdout.toString('latin1').split('\n').length - 1;
  // Interleaved, so that both see the same load.
  const theirs = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY, worst: 0 };
  const ours = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY, worst: 0 };
  const base = { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY, worst: 0 };
  const contenders: [typeof ours, string, string[]][] = [
    [theirs, 'bgpdump', ['-m', f]],
    [ours, process.execPath, [...cli, 'mrt', 'dump', '--format', 'bgpdump', f]],
  ];
  if (baseline) contenders.push([base, process.execPath, [...baseline, 'mrt', 'dump', '--format', 'bgpdump', f]]);
  for (let i = 0; i < RUNS; i++) {
    for (const [acc, cmd, args] of contenders) {
      const r = best(cmd, [...args], 1);
      acc.wall = Math.min(acc.wall, r.wall);
      acc.cpu = Math.min(acc.cpu, r.cpu);
      acc.worst = Math.max(acc.worst, r.worst);
    }
  }
  const name =
    f === empty
      ? 'empty file (start-up only)'
      : f === synth
        ? `synthetic TDv2 RIB (${entries} entries)`
        : f === synthUpd
          ? 'synthetic BGP4MP updates (.gz)'
          : f.replace(`${sharedFixtures}/`, '');
  console.log(
    `| ${name} | ${lines} | ${theirs.wall.toFixed(0)} (${theirs.worst.toFixed(0)}) | ${ours.wall.toFixed(0)} (${ours.worst.toFixed(0)}) | ${ratio(ours.wall, theirs.wall)}` +
      ` | ${theirs.cpu.toFixed(0)} | ${ours.cpu.toFixed(0)} | ${ratio(ours.cpu, theirs.cpu)} |` +
      (baseline ? ` ${base.wall.toFixed(0)} (${base.worst.toFixed(0)}) | ${base.cpu.toFixed(0)} |` : ''),
  );
}
const d = decodeRate(synth);
console.log(`\ndecode to RouteEvents, no output (synthetic RIB, in process, best of ${RUNS}): ${d.events} events in ${d.ms.toFixed(0)} ms = ${((d.events / d.ms) * 1000 / 1e6).toFixed(2)}M events/s (best cpu ${d.cpu.toFixed(0)} ms, GC threads included)`);
