// Memory per route of the RIB: `prefixes` x `peers` synthetic routes (bench/rib-synth.ts),
// measured as the growth of V8 heap + external memory (typed arrays) after full GCs.
// Run: node --expose-gc --import tsx bench/rib-memory.ts [prefixes=1000000] [peers=10] [uniqueShare=0]
import { Rib } from '../src/rib/rib.ts';
import { synth } from './rib-synth.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const prefixes = Number(process.argv[2] ?? 1_000_000);
const peers = Number(process.argv[3] ?? 10);
const uniqueShare = Number(process.argv[4] ?? 0);

function used(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const s = synth(prefixes, peers, uniqueShare);
const before = used();
const rib = new Rib();
const t0 = performance.now();
// Peer after peer, as a collector's full-table dumps arrive.
for (let p = 0; p < peers; p++) for (let i = 0; i < prefixes; i++) rib.apply({ kind: 'route', event: s.announce(p, i, 1_700_000_000_000 + i) });
const loadMs = performance.now() - t0;
const after = used();
rib.compact();
const compacted = used();
const st = rib.stats();
const per = (b: number) => (b / st.routes).toFixed(1);
console.log(JSON.stringify({ peers, uniqueShare, ...st, loadMs: Math.round(loadMs) }));
console.log(`bytes/route: ${per(after - before)} (after compact(): ${per(compacted - before)}); packed arrays ${per(st.packedBytes)}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
// Keep the RIB alive through the measurements.
if (rib.stats().routes !== st.routes) throw new Error('unreachable');
