// `targets suggest --mrt FILE...`: what the sources need, read from MRT files instead of
// a running service. Update records (BGP4MP, and the old BGP type) count as churn: one
// per announced or withdrawn prefix, as `bgpdump -m` prints one A or W line each. RIB
// dumps (TABLE_DUMP, TABLE_DUMP_V2) are a snapshot, not churn; every route of both kinds
// goes into a RIB for the ASN and traffic sources, updates after a dump changing it.
import { basename } from 'node:path';
import { DecodeError } from '../../codec/errors.ts';
import { mrtRouteEvents } from '../../codec/mrt/route-events.ts';
import { mrtFileRawBatches } from '../../feeds/mrt-file.ts';
import type { FeedEvent } from '../../model/feed-event.ts';
import { formatPrefix } from '../../model/prefix.ts';
import { Rib } from '../../rib/rib.ts';
import { type ChurnInput, pathOrigins } from './rank.ts';

const RIB_TYPES = new Set([12, 13]);

export interface OfflineRoutes {
  readonly rib: Rib;
  readonly churn: ChurnInput[];
  /** Origin ASes of each prefix's last announcement: a prefix withdrawn by the end still has one. */
  readonly lastOrigins: Map<string, number[]>;
  /** Feed time of the first and last update counted (ms); undefined without updates. */
  readonly from?: number;
  readonly to?: number;
  readonly updates: number;
  /** Records that did not decode, per file ("file: record at byte N: why"). */
  readonly problems: string[];
}

/** Reads the files in order. A file that cannot be opened or decompressed throws, naming it. */
export async function readMrtRoutes(files: readonly string[], now: () => number = Date.now): Promise<OfflineRoutes> {
  const rib = new Rib();
  const counts = new Map<string, number>();
  const lastOrigins = new Map<string, number[]>();
  const problems: string[] = [];
  let from: number | undefined;
  let to: number | undefined;
  let updates = 0;
  for (const file of files) {
    const conv = mrtRouteEvents({ router: basename(file), received: now });
    try {
      for await (const batch of mrtFileRawBatches(file)) {
        const events: FeedEvent[] = [];
        for (const raw of batch.records) {
          let list: ReturnType<typeof conv.convertRaw>;
          try {
            list = conv.convertRaw(raw);
          } catch (e) {
            if (!(e instanceof DecodeError)) throw e;
            problems.push(`${file}: record at byte ${raw.offset} skipped: ${e.message}`);
            continue;
          }
          conv.takeProblems();
          const churn = !RIB_TYPES.has(raw.header.type);
          for (const e of list) {
            events.push({ kind: 'route', event: e });
            if (e.kind === 'announce') lastOrigins.set(formatPrefix(e.prefix), pathOrigins(e.attrs.asPath));
            if (!churn) continue;
            const k = formatPrefix(e.prefix);
            counts.set(k, (counts.get(k) ?? 0) + 1);
            updates++;
            from = from === undefined ? e.time : Math.min(from, e.time);
            to = to === undefined ? e.time : Math.max(to, e.time);
          }
        }
        for (const p of batch.problems) if (p.kind !== 'record') problems.push(`${file}: ${p.error.message}`);
        for (const ev of events) rib.apply(ev);
      }
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
    }
  }
  const churn = [...counts.entries()].map(([prefix, changes]) => ({ prefix, changes }));
  return { rib, churn, lastOrigins, ...(from !== undefined ? { from, to } : {}), updates, problems };
}
