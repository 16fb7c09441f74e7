// Benchmark: `smoketrace mrt dump --format bgpdump FILE > /dev/null` against
// `bgpdump -m FILE > /dev/null`, in the same run, on the largest fixtures and on a
// synthetic TABLE_DUMP_V2 RIB of ~1.05M entries (bench/mrt-synth.ts); plus the decode rate
// to RouteEvents with no output at all. Run: node --import tsx bench/mrt-dump.ts
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MrtFramer } from '../src/codec/mrt/framing.ts';
import { mrtRouteEvents } from '../src/codec/mrt/route-events.ts';
import { repoRoot, sharedFixtures } from '../test/helpers/requirements.ts';
import { writeSyntheticRib } from './mrt-synth.ts';

const RUNS = 3;
const synth = '/tmp/smoketrace-bench-rib.mrt';
process.stdout.write('writing synthetic RIB... ');
const entries = writeSyntheticRib(synth);
console.log(`${entries} entries, ${(statSync(synth).size / 1e6).toFixed(1)} MB`);

const files = [
  synth,
  join(sharedFixtures, 'pyasn/rib.20140523.0600_firstMB.bz2'),
  join(sharedFixtures, 'bgpdump/updates.20070211.0141.gz'),
  join(sharedFixtures, 'bgpdump/updates.20160811.1600.gz'),
].filter(existsSync);

const cli = existsSync(join(repoRoot, 'src/cli.ts')) ? [join(repoRoot, 'bin/smoketrace.js')] : ['--import', 'tsx', join(repoRoot, 'src/cli/mrt-main.ts')];

function best(cmd: string, args: string[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const devnull = openSync('/dev/null', 'w');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', devnull, 'ignore'], cwd: repoRoot });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    min = Math.min(min, ms);
  }
  return min;
}

/**
 * Decode only: frame, decode every record to RouteEvents (convertRaw: what MrtFileFeed
 * does, = convert(decodeMrtRecord(raw)) without the intermediate record); no output.
 */
function decodeRate(file: string): { events: number; ms: number } {
  const buf = file.endsWith('.mrt') ? readFileSync(file) : undefined;
  if (!buf) return { events: 0, ms: 0 };
  let best = Number.POSITIVE_INFINITY;
  let events = 0;
  for (let i = 0; i < RUNS; i++) {
    const conv = mrtRouteEvents({ router: 'bench', received: () => 0 });
    const t0 = process.hrtime.bigint();
    let n = 0;
    const f = new MrtFramer();
    f.push(buf, (raw) => {
      n += conv.convertRaw(raw).length;
    });
    f.end();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    events = n;
  }
  return { events, ms: best };
}

console.log(`best of ${RUNS}; ours = node ${cli.join(' ')} mrt dump --format bgpdump FILE > /dev/null`);
console.log('| file | lines | bgpdump -m (ms) | smoketrace (ms) | ours/bgpdump |');
console.log('|---|---|---|---|---|');
for (const f of files) {
  const lines = spawnSync('bgpdump', ['-m', f], { maxBuffer: 1 << 30 }).stdout.toString('latin1').split('\n').length - 1;
  const theirs = best('bgpdump', ['-m', f]);
  const ours = best(process.execPath, [...cli, 'mrt', 'dump', '--format', 'bgpdump', f]);
  const name = f === synth ? `synthetic TDv2 RIB (${entries} entries)` : f.replace(`${sharedFixtures}/`, '');
  console.log(`| ${name} | ${lines} | ${theirs.toFixed(0)} | ${ours.toFixed(0)} | ${(ours / theirs).toFixed(2)} |`);
}
const d = decodeRate(synth);
console.log(`\ndecode to RouteEvents, no output (synthetic RIB, in process, best of ${RUNS}): ${d.events} events in ${d.ms.toFixed(0)} ms = ${((d.events / d.ms) * 1000 / 1e6).toFixed(2)}M events/s`);
