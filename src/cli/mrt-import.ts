// `smoketrace mrt import FILE...`: reads MRT RIB dumps and update files, in the order
// given, into one in-memory RIB, and stores what the running service would store from the
// same routes: route changes of monitored prefixes (rib.monitor and prefixes covering a
// [[targets]] address) and per-prefix churn counts (from updates; a RIB dump is a
// snapshot, not churn). Works offline against storage.path (migrating it first), one
// transaction per chunk of the file.
//
// The RIB itself lives only as long as the command: it makes an update after a dump a
// change of the dumped route (with before and after), and gives the summary its prefix
// and peer counts, but a running service does not load it. To put MRT routes into a
// running service's RIB, replay them to its collector: `smoketrace replay FILE --bmp`.
//
// Every route is filed under one router name (--router, default "mrt"), so the routes of
// several files of one collector meet in one RIB. MRT RIB entries are the post-policy
// Adj-RIB-In and BGP4MP updates the pre-policy one (see codec/mrt/route-events.ts), so an
// update changes the dump's route only where the tables agree.
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { DecodeError } from '../codec/errors.ts';
import { mrtRouteEvents } from '../codec/mrt/route-events.ts';
import type { Config } from '../config/schema.ts';
import { mrtFileRawBatches } from '../feeds/mrt-file.ts';
import { RibIngest } from '../ingest/ingest.ts';
import { MonitorSet } from '../ingest/monitor.ts';
import type { Logger } from '../log.ts';
import { formatAddress } from '../model/address.ts';
import type { FeedEvent } from '../model/feed-event.ts';
import { Rib } from '../rib/rib.ts';
import { Store } from '../store/store.ts';

export interface MrtImportOptions {
  readonly router: string;
  readonly version: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface MrtImportIo {
  readonly out: Writable;
  readonly err: Writable;
}

export interface MrtImportSummary {
  files: number;
  records: number;
  announcements: number;
  withdrawals: number;
  problems: number;
  prefixesV4: number;
  prefixesV6: number;
  routes: number;
  peers: number;
  monitored: number;
  storedChanges: number;
  churnCounted: number;
  seconds: number;
}

const MAX_PROBLEM_LINES = 50;

export async function mrtImport(files: readonly string[], config: Config, o: MrtImportOptions, io: MrtImportIo): Promise<{ status: number; summary: MrtImportSummary }> {
  const started = performance.now();
  const now = o.now ?? Date.now;
  const path = resolve(config.storage.path);
  const store = new Store({ path, version: o.version, logger: o.logger });
  await store.start();
  const rib = new Rib();
  const monitor = new MonitorSet(
    config.rib.monitor,
    config.targets.map((t) => t.address),
  );
  const ingest = new RibIngest({ rib, monitor, writer: { write: (b) => store.ingest.write(b) }, now, logger: o.logger });
  const s: MrtImportSummary = {
    files: files.length,
    records: 0,
    announcements: 0,
    withdrawals: 0,
    problems: 0,
    prefixesV4: 0,
    prefixesV6: 0,
    routes: 0,
    peers: 0,
    monitored: monitor.size,
    storedChanges: 0,
    churnCounted: 0,
    seconds: 0,
  };
  let status = 0;
  try {
    for (const file of files) {
      let shown = 0;
      const report = (what: string) => {
        s.problems++;
        if (shown++ < MAX_PROBLEM_LINES) io.err.write(`smoketrace mrt import: ${file}: ${what}\n`);
      };
      const conv = mrtRouteEvents({ router: o.router, received: now });
      try {
        for await (const batch of mrtFileRawBatches(file)) {
          const events: FeedEvent[] = [];
          for (const raw of batch.records) {
            s.records++;
            try {
              for (const e of conv.convertRaw(raw)) {
                if (e.kind === 'announce') s.announcements++;
                else s.withdrawals++;
                events.push({ kind: 'route', event: e });
              }
            } catch (e) {
              if (!(e instanceof DecodeError)) throw e;
              report(`record at byte ${raw.offset} skipped: ${e.message}`);
            }
            for (const p of conv.takeProblems()) report(`record at byte ${raw.offset}: ${p.message}`);
          }
          for (const p of batch.problems) report(p.kind === 'truncated' || p.kind === 'framing' ? p.error.message : 'problem');
          ingest.apply(events);
          // One transaction per chunk of the file.
          await ingest.flush();
        }
      } catch (e) {
        report((e as Error).message);
        status = 1;
      }
      if (shown > MAX_PROBLEM_LINES) io.err.write(`smoketrace mrt import: ${file}: ${shown - MAX_PROBLEM_LINES} more problem(s) not shown\n`);
    }
    await ingest.flush();
  } finally {
    await store.stop();
  }
  const st = rib.stats();
  const peers = new Set<string>();
  for (const r of rib.routers()) for (const p of r.peers) peers.add(formatAddress(p.peer.address));
  s.prefixesV4 = st.prefixes.v4;
  s.prefixesV6 = st.prefixes.v6;
  s.routes = st.routes;
  s.peers = peers.size;
  s.storedChanges = ingest.counters.storedChanges;
  s.churnCounted = ingest.counters.churnCounted;
  s.seconds = (performance.now() - started) / 1000;
  io.out.write(
    [
      `mrt import: ${files.length} file(s) into ${path} (router "${o.router}")`,
      `  records: ${s.records}, route events: ${s.announcements + s.withdrawals} (${s.announcements} announcements, ${s.withdrawals} withdrawals), problems: ${s.problems}`,
      `  RIB at the end: ${s.prefixesV4 + s.prefixesV6} prefixes (${s.prefixesV4} IPv4, ${s.prefixesV6} IPv6), ${s.routes} routes, ${s.peers} peers`,
      `  stored: ${s.storedChanges} route changes of monitored prefixes (${s.monitored} monitor entries), ${s.churnCounted} changes counted as churn`,
      `  time: ${s.seconds.toFixed(2)} s`,
      '',
    ].join('\n'),
  );
  return { status, summary: s };
}
