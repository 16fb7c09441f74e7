// Benchmark: how many targets one prober traces per cycle, through the real Scheduler and
// backends, in the lab (packets never leave it). The target namespace answers for a whole
// block of addresses inside the lab's own target prefixes (a `local` route on its
// loopback: Linux answers ICMP echo and UDP for every address in it, "AnyIP"), so
// thousands of distinct targets need no thousands of `ip addr add`.
//
//   node --import tsx bench/probe-cycle.ts [--targets 10000] [--pps 1000] [--mtr-targets 300] [--mtr-concurrency 16]
//
// Reports targets per minute, CPU of this process and of its children (scamper, mtr,
// mtr-packet, traceroute: /proc/self/stat cutime+cstime once reaped, and scamper's own
// /proc/PID/stat while it runs), and the 5-minute-cycle extrapolation.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parsePrefix } from '../src/model/prefix.ts';
import type { Trace } from '../src/model/trace.ts';
import { Scheduler } from '../src/probe/scheduler.ts';
import { ScamperBackend } from '../src/probe/backends/scamper.ts';
import { MtrBackend } from '../src/probe/backends/mtr.ts';
import type { BackendName, TraceBackend } from '../src/probe/backends/types.ts';
import { Lab } from '../test/lab/lab.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}
const N = arg('targets', 10_000);
const PPS = arg('pps', 1000);
const MTR_N = arg('mtr-targets', 300);
const MTR_C = arg('mtr-concurrency', 16);

// Inside the lab's target prefixes only (r4 originates them; nothing else routes there).
const V6_BLOCK = '2001:db8:100:1::/64';
const V4_BLOCKS = ['198.51.100.0/24', '203.0.113.0/24'];

function targets(n: number): string[] {
  const out: string[] = [];
  for (const b of ['198.51.100', '203.0.113']) for (let i = 2; i <= 254 && out.length < n / 10; i++) out.push(`${b}.${i}`);
  for (let i = 1; out.length < n; i++) out.push(`2001:db8:100:1::${i.toString(16)}`);
  return out;
}

function ticks(stat: string): { self: number; children: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { self: (Number(f[11]) + Number(f[12])) / 100, children: (Number(f[13]) + Number(f[14])) / 100 };
}
const childCpu = () => ticks(readFileSync('/proc/self/stat', 'latin1')).children;
const pidCpu = (pid: number) => {
  try {
    return ticks(readFileSync(`/proc/${pid}/stat`, 'latin1')).self;
  } catch {
    return 0;
  }
};

interface Result {
  backend: string;
  targets: number;
  ok: number;
  reached: number;
  wallS: number;
  nodeCpuS: number;
  childCpuS: number;
  hops: Record<number, number>;
}

async function cycle(name: BackendName, backend: TraceBackend, list: string[], concurrency: number, pps: number, pidOf?: () => number | undefined): Promise<Result> {
  let done = 0;
  let reached = 0;
  let failed = 0;
  const hops: Record<number, number> = {};
  let finish!: () => void;
  const all = new Promise<void>((r) => (finish = r));
  const count = () => {
    if (done + failed === list.length) finish();
  };
  const s = new Scheduler({
    backends: { [name]: backend },
    allowed: [...V4_BLOCKS, '2001:db8:100::/48'].map((p) => parsePrefix(p)!),
    defaultInterval: 3_600_000, // one cycle: every target is due at once (random 0, below)
    defaultBackend: name,
    concurrency,
    pps,
    random: () => 0,
    jitter: 0,
    sink: (t: Trace) => {
      done++;
      if (t.reached) reached++;
      hops[t.hops.length] = (hops[t.hops.length] ?? 0) + 1;
      count();
    },
    onError: (_t, e) => {
      if (failed++ < 5) console.error(`  ${name} error: ${e.kind} ${e.message}`);
      count();
    },
  });
  for (const a of list) {
    const r = await s.add({ address: a });
    if (!r.ok) throw new Error(r.reason);
  }
  const cpu0 = process.cpuUsage();
  const child0 = childCpu();
  const t0 = performance.now();
  await s.start();
  const pid = pidOf?.();
  await all;
  const wallS = (performance.now() - t0) / 1000;
  const scamperCpu = pid ? pidCpu(pid) : 0; // before stop: it is not reaped yet
  await s.stop();
  const cpu = process.cpuUsage(cpu0);
  const childCpuS = pid ? scamperCpu : childCpu() - child0;
  return { backend: name, targets: list.length, ok: done, reached, wallS, nodeCpuS: (cpu.user + cpu.system) / 1e6, childCpuS, hops };
}

function report(r: Result, how: string): void {
  const perMin = (r.ok / r.wallS) * 60;
  const cpuPerTarget = ((r.nodeCpuS + r.childCpuS) / r.ok) * 1000;
  console.log(`\n${r.backend} (${how})`);
  console.log(`  ${r.ok}/${r.targets} traced (${r.reached} reached) in ${r.wallS.toFixed(1)} s = ${perMin.toFixed(0)} targets/min`);
  console.log(`  CPU: node ${r.nodeCpuS.toFixed(2)} s, children ${r.childCpuS.toFixed(2)} s = ${cpuPerTarget.toFixed(2)} ms per target`);
  console.log(`  5-minute cycle: ${Math.floor(perMin * 5)} targets at ${(((r.nodeCpuS + r.childCpuS) / r.wallS) * 100).toFixed(0)} % of one core`);
  console.log(`  hops per trace: ${JSON.stringify(r.hops)}`);
}

const lab = await Lab.up({ bmpPort: 11900 + Math.floor(Math.random() * 90) });
try {
  const tgt = lab.ns('tgt');
  // AnyIP: the target answers for the whole block (and for the lab /24s it already owns).
  await lab.execOk('tgt', ['ip', '-6', 'route', 'add', 'local', V6_BLOCK, 'dev', 'lo']);
  for (const b of V4_BLOCKS) await lab.execOk('tgt', ['ip', 'route', 'add', 'local', b, 'dev', 'lo']);
  console.log(`lab up in ${lab.upMs} ms; ${tgt} answers for ${V6_BLOCK} and ${V4_BLOCKS.join(', ')}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const netns = lab.ns('probe');

  const list = targets(N);
  const sc = new ScamperBackend({ netns, pps: PPS, waitS: 1, attempts: 2 });
  const r1 = await cycle('scamper', sc, list, 2_000, PPS, () => sc.pid);
  report(r1, `one process, scamper -p ${PPS}, scheduler pps ${PPS}, icmp-paris -q 2 -w 1`);
  console.log(`  scamper processes started: ${sc.counters.started}, refused commands: ${sc.counters.refused}`);
  console.log(`  load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  if (MTR_N > 0) {
    const mtr = new MtrBackend({ netns, count: 5, intervalS: 0.2, graceS: 1 });
    const r2 = await cycle('mtr', mtr, list.slice(0, MTR_N), MTR_C, 10_000);
    report(r2, `concurrency ${MTR_C}, mtr --json -n -c 5 -i 0.2 -G 1`);
    console.log(`  load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  }
} finally {
  await lab.down();
}
