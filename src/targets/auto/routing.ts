// What ranking needs from routes, over the RIB: every prefix with its AS paths, origins,
// the route covering an address, and whether a prefix is still announced.
import { parseAddress } from '../../model/address.ts';
import { formatPrefix, parsePrefix, prefix } from '../../model/prefix.ts';
import type { Rib } from '../../rib/rib.ts';
import { originsOf } from '../../rib/origin.ts';
import type { RoutedPrefix } from './rank.ts';

export interface RoutingView {
  /** Origin ASes of the prefix, or of the route covering it. */
  origins(prefix: string): readonly number[];
  prefixes(): Iterable<RoutedPrefix>;
  /** The most specific routed prefix covering an address or prefix text. */
  covering(key: string): { prefix: string; origins: readonly number[] } | undefined;
  /** A route covers the prefix; undefined when the RIB is empty (no feed: nothing known). */
  announced(prefix: string): boolean | undefined;
}

const CHUNKS: readonly (readonly [4 | 6, number, number])[] = [
  [4, 8, 256],
  [6, 4, 16],
];

export function ribRouting(rib: Rib): RoutingView {
  return {
    origins(prefixText) {
      const p = parsePrefix(prefixText);
      if (!p) return [];
      const c = rib.coveringRoutes(p).find((x) => x.routes.length > 0);
      return c ? originsOf(c.routes.map((r) => r.attrs.asPath)) : [];
    },
    *prefixes() {
      const short = new Set<string>();
      // One /8 (IPv4) or /4 (IPv6) at a time, so a consumer can pause between chunks
      // instead of the RIB building every route view of a full table at once.
      for (const [family, bits, count] of CHUNKS) {
        for (let i = 0; i < count; i++) {
          const bytes = new Uint8Array(family === 4 ? 4 : 16);
          bytes[0] = family === 4 ? i : i << 4;
          const chunk = prefix(family, bits, bytes);
          // Prefixes shorter than the chunk (a default route, a /6) cover many chunks: once each.
          for (const pr of rib.coveringRoutes(chunk)) {
            if (pr.prefix.len >= bits || pr.routes.length === 0) continue;
            const key = formatPrefix(pr.prefix);
            if (short.has(key)) continue;
            short.add(key);
            yield { prefix: key, paths: pr.routes.map((r) => r.attrs.asPath) };
          }
          for (const pr of rib.covered(chunk)) {
            if (pr.routes.length > 0) yield { prefix: formatPrefix(pr.prefix), paths: pr.routes.map((r) => r.attrs.asPath) };
          }
        }
      }
    },
    covering(key) {
      const a = key.includes('/') ? undefined : parseAddress(key);
      const p = a ? undefined : parsePrefix(key);
      const target = a ?? p;
      if (!target) return undefined;
      const c = rib.coveringRoutes(target).find((x) => x.routes.length > 0);
      return c && { prefix: formatPrefix(c.prefix), origins: originsOf(c.routes.map((r) => r.attrs.asPath)) };
    },
    announced(prefixText) {
      if (rib.stats().routes === 0) return undefined;
      const p = parsePrefix(prefixText);
      if (!p) return undefined;
      // Pre-policy tables keep routes the router refused (its own AS in the path after a
      // withdrawal elsewhere, path hunting): where a router also exports post-policy or
      // Loc-RIB routes, only those say whether the prefix is still reachable.
      const post = new Set<string>();
      for (const r of rib.routers()) if (r.peers.some((x) => x.table !== 'adj-rib-in-pre')) post.add(`${r.source} ${r.router}`);
      return rib.coveringRoutes(p).some((x) => x.routes.some((r) => r.table !== 'adj-rib-in-pre' || !post.has(`${r.source} ${r.router}`)));
    },
  };
}
