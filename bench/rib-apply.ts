// Route events per second through Rib.apply, with a sink receiving every RouteChange.
// Events are made in batches of ~4096 before the clock restarts (batches, because a live
// feed never holds millions of events at once), so only the RIB is timed. Two input modes:
//   harsh:  a fresh RouteEvent and a fresh RouteAttributes object per event, as if every
//           UPDATE carried one prefix (no two events share an attributes object);
//   packed: events come in UPDATE-sized groups sharing ONE RouteAttributes object, as the
//           BMP session, RIS Live and MRT decoders hand them out: a group is 1-20
//           consecutive prefixes of one peer with the same attributes (same origin AS, no
//           per-prefix community), its size drawn with P(k) ~ 1/k (median 3, mean ~5.6
//           before the cut at the end of an equal-attributes run).
// Phases, on one RIB per mode:
//   load:      `peers` full tables of `prefixes` prefixes into an empty RIB (all 'new');
//   churn:     on the loaded RIB, random peer and prefix (group): 60% attribute/path changes,
//              20% more variant changes or duplicates, 10% withdraws, 10% re-announces;
//   peer-down: one peer's whole table withdrawn (changes per second).
// Rates are given per wall-clock second and per CPU second of the process (user + system,
// GC threads included): on a shared machine the wall figure mostly measures the neighbours.
// Run: node --expose-gc --import tsx bench/rib-apply.ts [prefixes=1000000] [peers=10]
//        [mode=both|harsh|packed] [churnEvents=prefixes*peers] [uniqueShare=0]
import type { FeedEvent } from '../src/model/feed-event.ts';
import type { RouteChange } from '../src/model/route-change.ts';
import { Rib } from '../src/rib/rib.ts';
import { synth } from './rib-synth.ts';

const prefixes = Number(process.argv[2] ?? 1_000_000);
const peers = Number(process.argv[3] ?? 10);
const mode = process.argv[4] ?? 'both';
const churnEvents = Number(process.argv[5] ?? prefixes * peers);
const uniqueShare = Number(process.argv[6] ?? 0);
const s = synth(prefixes, peers, uniqueShare);
const T = 1_700_000_000_000;
const BATCH = 4096;
const gc = (globalThis as { gc?: () => void }).gc;
let sunk = 0;
const sink = (c: RouteChange) => {
  if (c.prefix) sunk++;
};

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000)}`;

/** Runs `total` events; `next(out, k)` pushes the next group (one or more events), k = events so far. */
function run(name: string, rib: Rib, total: number, next: (out: FeedEvent[], k: number) => void): void {
  gc?.();
  let ms = 0;
  let cpu = 0;
  let changes = 0;
  let groups = 0;
  const batch: FeedEvent[] = [];
  for (let k = 0; k < total; ) {
    batch.length = 0;
    while (batch.length < BATCH && k + batch.length < total) {
      next(batch, k + batch.length);
      groups++;
    }
    if (k + batch.length > total) batch.length = total - k;
    k += batch.length;
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let j = 0; j < batch.length; j++) changes += rib.apply(batch[j], sink);
    ms += performance.now() - t0;
    cpu += cpuMs() - c0;
  }
  console.log(
    `${name}: ${total} events (${(total / groups).toFixed(2)} a group), ${changes} changes, ${(ms / 1000).toFixed(1)} s wall, ` +
      `${(cpu / 1000).toFixed(1)} s cpu: ${rate(total, ms)} events/s wall, ${rate(total, cpu)} events/cpu-s`,
  );
}

/** Group sizes 1-20 with P(k) ~ 1/k, from a fixed LCG. */
let g = 987654321;
function groupSize(): number {
  g = (Math.imul(g, 1103515245) + 12345) >>> 0;
  const u = (g >>> 8) / 2 ** 24;
  // Inverse of the harmonic CDF over 1..20 (H20 = 3.5977).
  let acc = 0;
  for (let k = 1; k <= 20; k++) {
    acc += 1 / k / 3.597739657143682;
    if (u < acc) return k;
  }
  return 20;
}

/** Prefixes i, i+1, ... of peer p sharing i's attributes, at most `max`. */
function groupEnd(p: number, i: number, max: number): number {
  let j = i + 1;
  while (j < prefixes && j - i < max && s.sameAttrs(p, i, j)) j++;
  return j;
}

function phases(packed: boolean): void {
  const tag = packed ? 'packed' : 'harsh';
  const rib = new Rib();
  let lp = 0;
  let li = 0;
  run(`${tag} load`, rib, peers * prefixes, (out, k) => {
    if (!packed) {
      out.push({ kind: 'route', event: s.announce(Math.floor(k / prefixes), k % prefixes, T) });
      return;
    }
    const end = groupEnd(lp, li, groupSize());
    const a = s.attrs(lp, li);
    for (let i = li; i < end; i++) out.push({ kind: 'route', event: s.announceWith(lp, i, T, a) });
    li = end;
    if (li === prefixes) {
      li = 0;
      lp++;
    }
  });

  const withdrawn: [number, number, number][] = [];
  let x = 12345;
  run(`${tag} churn`, rib, churnEvents, (out, k) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const p = x % peers;
    const i = (x >>> 4) % prefixes;
    const dice = (x >>> 24) % 10;
    const end = packed ? groupEnd(p, i, groupSize()) : i + 1;
    if (dice < 8) {
      const variant = dice < 6 ? 1 + (k % 3) : 1 + ((k + 1) % 3);
      if (!packed) out.push({ kind: 'route', event: s.announce(p, i, T + k, variant) });
      else {
        const a = s.attrs(p, i, variant);
        for (let j = i; j < end; j++) out.push({ kind: 'route', event: s.announceWith(p, j, T + k, a) });
      }
    } else if (dice < 9) {
      withdrawn.push([p, i, end]);
      for (let j = i; j < end; j++) out.push({ kind: 'route', event: s.withdraw(p, j, T + k) });
    } else {
      const w = withdrawn.pop() ?? [p, i, end];
      const a = s.attrs(w[0], w[1]);
      for (let j = w[1]; j < w[2]; j++) out.push({ kind: 'route', event: packed ? s.announceWith(w[0], j, T + k, a) : s.announce(w[0], j, T + k) });
    }
  });

  gc?.();
  const c0 = cpuMs();
  const t0 = performance.now();
  const n = rib.apply({ kind: 'peer-down', source: 'ris-live', router: 'rrc00', peer: s.peers[0], reason: 'bench', time: T }, sink);
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  console.log(`${tag} peer-down: ${n} withdraws in ${ms.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms cpu: ${rate(n, ms)} changes/s wall, ${rate(n, cpu)} changes/cpu-s`);
  console.log(`${tag}: sink saw ${sunk} changes; ${JSON.stringify(rib.stats())}`);
  sunk = 0;
}

if (mode === 'both' || mode === 'harsh') phases(false);
if (mode === 'both' || mode === 'packed') phases(true);
