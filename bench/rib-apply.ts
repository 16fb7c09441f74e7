// Route events per second through Rib.apply, with a sink receiving every RouteChange.
// Events are made in batches of 4096 before the clock restarts (a fresh RouteEvent and
// RouteAttributes per event, as a decoder yields them; batches, because a live feed never
// holds millions of events at once), so only the RIB is timed. Phases:
//   load:      `peers` full tables of `prefixes` prefixes into an empty RIB (all 'new');
//   churn:     on the loaded RIB, 60% attribute/path changes, 20% duplicates, 10% withdraws,
//              10% re-announces of withdrawn routes;
//   peer-down: one peer's whole table withdrawn (changes per second).
// Run: node --expose-gc --import tsx bench/rib-apply.ts [prefixes=1000000] [peers=10]
import type { FeedEvent } from '../src/model/feed-event.ts';
import type { RouteChange } from '../src/model/route-change.ts';
import type { RouteEvent } from '../src/model/route-event.ts';
import { Rib } from '../src/rib/rib.ts';
import { synth } from './rib-synth.ts';

const prefixes = Number(process.argv[2] ?? 1_000_000);
const peers = Number(process.argv[3] ?? 10);
const s = synth(prefixes, peers);
const T = 1_700_000_000_000;
const BATCH = 4096;
let sunk = 0;
const sink = (c: RouteChange) => {
  if (c.prefix) sunk++;
};

function run(name: string, rib: Rib, total: number, make: (k: number) => RouteEvent): void {
  let ms = 0;
  let changes = 0;
  const batch: FeedEvent[] = [];
  for (let k0 = 0; k0 < total; k0 += BATCH) {
    batch.length = 0;
    for (let k = k0; k < Math.min(total, k0 + BATCH); k++) batch.push({ kind: 'route', event: make(k) });
    const t0 = performance.now();
    for (const ev of batch) changes += rib.apply(ev, sink);
    ms += performance.now() - t0;
  }
  console.log(`${name}: ${total} events, ${changes} changes, ${(ms / 1000).toFixed(1)} s, ${Math.round((total / ms) * 1000)} events/s`);
}

const rib = new Rib();
run('load', rib, peers * prefixes, (k) => s.announce(Math.floor(k / prefixes), k % prefixes, T));

const withdrawn: [number, number][] = [];
let x = 12345;
run('churn', rib, peers * prefixes, (k) => {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  const p = x % peers;
  const i = (x >>> 4) % prefixes;
  const dice = (x >>> 24) % 10;
  if (dice < 6) return s.announce(p, i, T + k, 1 + (k % 3));
  if (dice < 8) return s.announce(p, i, T + k, 1 + ((k + 1) % 3));
  if (dice < 9) {
    withdrawn.push([p, i]);
    return s.withdraw(p, i, T + k);
  }
  const w = withdrawn.pop() ?? [p, i];
  return s.announce(w[0], w[1], T + k);
});

const t0 = performance.now();
const n = rib.apply({ kind: 'peer-down', source: 'ris-live', router: 'rrc00', peer: s.peers[0], reason: 'bench', time: T }, sink);
const ms = performance.now() - t0;
console.log(`peer-down: ${n} withdraws in ${ms.toFixed(0)} ms, ${Math.round((n / ms) * 1000)} changes/s`);
console.log(`sink saw ${sunk} changes; ${JSON.stringify(rib.stats())}`);
