// BGP ingest over BMP, end to end: a synthetic RIB (bench/bmp-synth.ts, TABLE_DUMP_V2) is
// replayed by the real `smoketrace replay` process (the dist/ bundle) to the BMP collector of
// a Service started in this process, on 127.0.0.1 — the service as `smoketrace serve`
// wires it (collector under its supervisor -> RibIngest -> Rib, SQLite store, API).
//
// Measured:
// - time to absorb: from the first batch the collector hands the ingest (the Initiation) to
//   the batch that completes the expected number of route events (every RIB entry applied);
// - route events/s over that time;
// - CPU seconds of this process (decode + RIB) and of the replay process (MRT decode + BMP
//   encode) over the run, to tell which side was the limit;
// - RSS and V8 heap + external before and after, after two full GCs; bytes per route =
//   growth of heapUsed + external (what the RIB and the collector keep) / routes.
//
// Run (the file is generated once and kept in $TMPDIR, reused when it exists):
//   node scripts/build.mjs
//   node --expose-gc --import tsx bench/bmp-ingest.ts 1000000 1     # 1 M routes
//   node --expose-gc --import tsx bench/bmp-ingest.ts 1000000 10    # 10 M routes (1 M prefixes x 10 peers)
// Options: --no-build (use dist/ as it is), --keep-file / --fresh-file.
//
// --from-capture: the replay process is itself a bottleneck (MRT decode + BMP encode cost
// more CPU per route than the collector's BMP decode + RIB apply). With this flag the same
// `smoketrace replay` output is first captured to a file (the CLI replays into a recording
// socket here), then a minimal sender process streams those bytes to the collector: the
// figures are then the collector's own.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRaw } from '../src/config/load.ts';
import { createLogger } from '../src/log.ts';
import type { FeedEvent } from '../src/model/feed-event.ts';
import { Service } from '../src/service.ts';
import { writeSynthRib } from './bmp-synth.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const prefixes = Number(positional[0] ?? 1_000_000);
const peers = Number(positional[1] ?? 1);
const flag = (f: string) => args.includes(f);

const mib = (b: number) => (b / 2 ** 20).toFixed(0);
function memory(): NodeJS.MemoryUsage {
  gc!();
  gc!();
  return process.memoryUsage();
}
/** utime + stime of a process, seconds (from /proc; 100 ticks/s on Linux). */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

// 1. the file
const file = join(tmpdir(), `smoketrace-bmp-bench-${prefixes}x${peers}.mrt`);
const meta = `${file}.json`;
let rib: { routes: number; prefixes: number; bytes: number; attributeSets: number };
if (!flag('--fresh-file') && existsSync(file) && existsSync(meta) && statSync(file).size === JSON.parse(readFileSync(meta, 'utf8')).bytes) {
  rib = JSON.parse(readFileSync(meta, 'utf8'));
  console.log(`using ${file} (${rib.routes} routes, ${mib(rib.bytes)} MiB)`);
} else {
  const t = performance.now();
  const r = writeSynthRib(file, prefixes, peers);
  rib = { routes: r.routes, prefixes: r.prefixes, bytes: r.bytes, attributeSets: r.attributeSets };
  const { writeFileSync } = await import('node:fs');
  writeFileSync(meta, JSON.stringify(rib));
  console.log(`wrote ${file}: ${r.prefixes} prefixes x ${peers} peers = ${r.routes} routes, ${r.attributeSets} attribute sets, ${mib(r.bytes)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

// 2. the replay bundle
if (!flag('--no-build')) {
  const b = spawnSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (b.status !== 0) throw new Error('scripts/build.mjs failed');
}
const cli = join(repoRoot, 'dist/cli.js');

/** The replay CLI's BMP stream for `file`, captured once to `file`.bmp (kept beside it). */
async function capture(): Promise<string> {
  const out = `${file}.bmp`;
  if (existsSync(out) && !flag('--fresh-file')) return out;
  const ws = createWriteStream(out);
  const srv = createServer((sock) => sock.pipe(ws));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as AddressInfo).port;
  const t = performance.now();
  // asynchronous: this process's event loop is the capturing end
  const child = spawn(process.execPath, [cli, 'replay', file, '--bmp', `127.0.0.1:${p}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (r.stdout += d));
  child.stderr.on('data', (d: Buffer) => (r.stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`replay into the capture failed: ${r.stderr}`);
  await new Promise<void>((resolve) => (ws.writableFinished ? resolve() : ws.on('finish', () => resolve())));
  srv.close();
  // The stream ends with the replay's Termination: cut it, so the router stays up (with
  // its routes) after the sender has streamed everything, as with --keep-open.
  const size = statSync(out).size;
  const fd = openSync(out, 'r+');
  const tail = Buffer.alloc(Math.min(512, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  let cut = -1;
  for (let i = 0; i + 6 <= tail.length; i++) if (tail[i] === 3 && tail[i + 5] === 5 && tail.readUInt32BE(i + 1) === tail.length - i) cut = size - tail.length + i;
  if (cut < 0) throw new Error('no BMP Termination at the end of the capture');
  ftruncateSync(fd, cut);
  closeSync(fd);
  console.log(`captured the replay's BMP stream: ${mib(statSync(out).size)} MiB in ${((performance.now() - t) / 1000).toFixed(1)} s (${r.stdout.trim()})`);
  return out;
}
const captured = flag('--from-capture') ? await capture() : undefined;
/** Streams a file to the collector and holds the connection open (a router that keeps its session). */
const SENDER = `const net = require('node:net'), fs = require('node:fs');
const s = net.connect(Number(process.argv[2]), '127.0.0.1', () => fs.createReadStream(process.argv[1], { highWaterMark: 1 << 20 }).pipe(s, { end: false }).on('unpipe', () => console.log('all sent')));
s.on('error', () => process.exit(1)); process.on('SIGTERM', () => { s.end(); process.exit(0); });`;

// 3. the service, as `smoketrace serve` runs it (log silent: this measures ingest, not pino)
const dir = mkdtempSync(join(tmpdir(), 'smoketrace-bmp-bench-'));
const cfg = fromRaw(
  {},
  { env: {}, sets: ['api.listen=127.0.0.1:0', 'bmp.enabled=true', 'bmp.listen=127.0.0.1:0', `storage.path=${join(dir, 'db.sqlite')}`, 'log.level=silent'] },
  { path: 'bench', how: 'given' },
);
if (!cfg.ok) throw new Error(cfg.problems.join('\n'));
const service = new Service(cfg.config, { logger: createLogger({ level: 'silent' }), version: 'bench' });
await service.start();
const port = service.bmpAddress()!.port;

const before = memory();
const cpu0 = process.cpuUsage();

// 4. when the first batch arrives and when the last expected route event is applied
let first = 0;
let last = 0;
const counters = service.ingest.counters;
const base = counters.routeEvents;
let done: () => void = () => {};
const absorbed = new Promise<void>((r) => (done = r));
const apply = service.ingest.apply.bind(service.ingest);
service.ingest.apply = (events: readonly FeedEvent[]) => {
  if (first === 0) first = performance.now();
  apply(events);
  if (last === 0 && counters.routeEvents - base >= rib.routes) {
    last = performance.now();
    done();
  }
};

const replay =
  captured === undefined
    ? spawn(process.execPath, [cli, 'replay', file, '--bmp', `127.0.0.1:${port}`, '--keep-open'], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['-e', SENDER, captured, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
let replayOut = '';
replay.stdout.on('data', (d: Buffer) => (replayOut += d));
replay.stderr.on('data', (d: Buffer) => (replayOut += d));
const exited = new Promise<number | null>((r) => replay.on('exit', (c) => r(c)));
const timeout = setTimeout(() => {
  console.error(`no end after 15 min; replay said:\n${replayOut}`);
  process.exit(1);
}, 900_000);
await Promise.race([absorbed, exited.then((c) => Promise.reject(new Error(`replay exited (${c}) first:\n${replayOut}`)))]);
clearTimeout(timeout);
const replayCpu = cpuOf(replay.pid!);
const cpu = process.cpuUsage(cpu0);
const seconds = (last - first) / 1000;

const after = memory();
const st = service.rib.stats();
const routers = service.rib.routers();
const grown = after.heapUsed + after.external - (before.heapUsed + before.external);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  sender: captured === undefined ? 'smoketrace replay' : 'captured replay stream',
  prefixes: rib.prefixes,
  peers,
  routes: st.routes,
  expectedRoutes: rib.routes,
  fileMiB: Number(mib(rib.bytes)),
  routeEvents: counters.routeEvents - base,
  decodeErrors: counters.decodeErrors,
  seconds: Number(seconds.toFixed(2)),
  routeEventsPerSecond: Math.round((counters.routeEvents - base) / seconds),
  cpuSeconds: { service: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)), replay: replayCpu },
  rssMiB: { before: Number(mib(before.rss)), after: Number(mib(after.rss)) },
  heapAndExternalMiB: { before: Number(mib(before.heapUsed + before.external)), after: Number(mib(after.heapUsed + after.external)) },
  bytesPerRoute: Number((grown / st.routes).toFixed(1)),
  rssBytesPerRoute: Number(((after.rss - before.rss) / st.routes).toFixed(1)),
  attributeSets: st.attributeSets,
  packedBytesPerRoute: Number((st.packedBytes / st.routes).toFixed(1)),
  peersUp: routers[0]?.peers.filter((p) => p.state === 'up' && p.endOfRib).length,
};
console.log(JSON.stringify(result));
console.log(
  `${result.sender}: ${result.routes} routes (${result.prefixes} prefixes x ${peers} peers) absorbed in ${result.seconds} s: ` +
    `${result.routeEventsPerSecond} route events/s; CPU service ${result.cpuSeconds.service} s, sender ${result.cpuSeconds.replay} s; ` +
    `RSS ${result.rssMiB.before} -> ${result.rssMiB.after} MiB; heap+external ${result.heapAndExternalMiB.before} -> ${result.heapAndExternalMiB.after} MiB = ${result.bytesPerRoute} bytes/route`,
);
if (st.routes !== rib.routes) console.error(`WARNING: the RIB has ${st.routes} routes, the file ${rib.routes}`);

// 5. end: the replay sends its Termination on SIGTERM (the RIB then drops the router)
replay.kill('SIGTERM');
await exited;
await service.stop();
rmSync(dir, { recursive: true, force: true });
if (!flag('--keep-file') && prefixes * peers > 2_000_000) {
  for (const f of [file, meta, `${file}.bmp`]) rmSync(f, { force: true });
}
