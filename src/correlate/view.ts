// "Our route" towards a target: the route in use in the configured view of the RIB, and
// which RouteChanges belong to that view. Pure over the Rib (no timers, no I/O).
//
// The view ([correlate] router / peers):
// - router set: that router (BMP sysName/address, or RIS collector) as rib/best-path.ts
//   sees it: its Loc-RIB when it exports one, else best path over its post-policy
//   Adj-RIB-In, else its pre-policy one; `peers` narrows the candidates to those peers.
// - router unset: the first BMP router (by name) that exports a Loc-RIB, as above; when
//   none does, best path over every router's post-policy Adj-RIB-In (a router with no
//   post-policy table, e.g. a RIS Live collector: its pre-policy one), narrowed by `peers`.
// Adj-RIB-Out tables are never "our route".
//
// "The route in use changed" means the forwarding may have changed: another covering
// prefix (a new more-specific, a withdrawal), another router/peer/path id, another AS path
// (prepends included, so a prepend-only change is judged, and comes out 'same') or another
// next hop. A change of communities, MED or local-pref on the same route is not.
import { type Address, addressEquals, compareBytes } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';
import { prefixEquals } from '../model/prefix.ts';
import type { RouteChange } from '../model/route-change.ts';
import type { AsPath } from '../model/route-event.ts';
import { bestPath } from '../rib/best-path.ts';
import type { Rib, RouteView } from '../rib/rib.ts';
import { peerKey } from '../rib/tables.ts';

export interface ViewConfig {
  /** BMP router or RIS collector; unset: see the header. */
  readonly router?: string;
  /** Only routes learned from these peers (RIS Live peers, or a router's chosen peers). */
  readonly peers?: readonly Address[];
}

export interface InUse {
  readonly prefix: Prefix;
  readonly route: RouteView;
}

const IN_TABLES = new Set(['loc-rib', 'adj-rib-in-post', 'adj-rib-in-pre']);

/** Whether a RouteChange can touch the view at all (cheap; called for every change). */
export function viewAccepts(c: RouteChange, v: ViewConfig): boolean {
  if (!IN_TABLES.has(c.table)) return false;
  if (v.router !== undefined && c.router !== v.router) return false;
  if (v.peers !== undefined && v.peers.length > 0 && !v.peers.some((p) => addressEquals(p, c.peer.address))) return false;
  return true;
}

function peerOk(r: RouteView, v: ViewConfig): boolean {
  return v.peers === undefined || v.peers.length === 0 || v.peers.some((p) => addressEquals(p, r.peer.address));
}

/** The router whose choice is "ours" when none is configured: the first BMP router (by name) with a Loc-RIB up. */
function defaultRouter(rib: Rib): string | undefined {
  let best: string | undefined;
  for (const r of rib.routers()) {
    if (r.source !== 'bmp' || r.state !== 'up') continue;
    if (!r.peers.some((p) => p.table === 'loc-rib' && p.state === 'up')) continue;
    if (best === undefined || r.router < best) best = r.router;
  }
  return best;
}

function chooseOnRouter(rib: Rib, target: Address, router: string, v: ViewConfig): InUse | undefined {
  const r = rib.routerState(router);
  if (r === undefined) return undefined;
  const up = new Set(r.tables.filter((t) => t.state === 'up').map((t) => t.table));
  const table = up.has('loc-rib') ? 'loc-rib' : up.has('adj-rib-in-post') ? 'adj-rib-in-post' : 'adj-rib-in-pre';
  for (const { prefix, routes } of rib.coveringRoutes(target)) {
    const mine = routes.filter((x) => x.router === r.router && x.source === r.source && x.table === table && peerOk(x, v));
    const best = bestPath(mine, (x) => r.localAsns.get(peerKey(x.peer)));
    if (best !== undefined) return { prefix, route: best };
  }
  return undefined;
}

function chooseEverywhere(rib: Rib, target: Address, v: ViewConfig): InUse | undefined {
  // Per router, as on one router: its post-policy routes when it exports any (a prefix only
  // in its pre-policy table was filtered), else its pre-policy ones (RIS Live, MRT).
  const tableOf = new Map<string, string>();
  const preferred = (x: RouteView): string => {
    const k = `${x.source} ${x.router}`;
    let t = tableOf.get(k);
    if (t === undefined) {
      const r = rib.routerState(x.router, x.source);
      t = r?.tables.some((pt) => pt.table === 'adj-rib-in-post' && pt.state === 'up') ? 'adj-rib-in-post' : 'adj-rib-in-pre';
      tableOf.set(k, t);
    }
    return t;
  };
  for (const { prefix, routes } of rib.coveringRoutes(target)) {
    const pool = routes.filter((x) => peerOk(x, v) && x.table === preferred(x));
    const best = bestPath(pool, (x) => rib.routerState(x.router, x.source)?.localAsns.get(peerKey(x.peer)));
    if (best !== undefined) return { prefix, route: best };
  }
  return undefined;
}

/** Which router the view reads now (undefined: every router's post-policy tables); once per batch of targets. */
export function viewRouter(rib: Rib, v: ViewConfig): string | undefined {
  return v.router ?? defaultRouter(rib);
}

/** The route in use towards `target` in the view; undefined when the view has none. `router`: viewRouter()'s answer. */
export function routeInUse(rib: Rib, target: Address, v: ViewConfig, router: string | undefined = viewRouter(rib, v)): InUse | undefined {
  return router !== undefined ? chooseOnRouter(rib, target, router, v) : chooseEverywhere(rib, target, v);
}

/** In words, for logs and /api/health: which view is "our route". */
export function describeView(rib: Rib, v: ViewConfig): string {
  const peers = v.peers && v.peers.length > 0 ? ` (peers ${v.peers.length})` : '';
  if (v.router !== undefined) return `router ${v.router}${peers}`;
  const d = defaultRouter(rib);
  return d !== undefined ? `router ${d} (first BMP router with a Loc-RIB)${peers}` : `best path over every post-policy table${peers}`;
}

export function sameAsPath(a: AsPath, b: AsPath): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      if (typeof x === 'number' || typeof y === 'number') return x === y;
      return x.length === y.length && x.every((m, k) => m === y[k]);
    })
  );
}

/** Whether two routes in use forward the same way (see the header). */
export function sameForwarding(a: InUse | undefined, b: InUse | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (!prefixEquals(a.prefix, b.prefix)) return false;
  const x = a.route;
  const y = b.route;
  if (x.router !== y.router || x.source !== y.source || x.table !== y.table || (x.pathId ?? 0) !== (y.pathId ?? 0)) return false;
  if (peerKey(x.peer) !== peerKey(y.peer)) return false;
  if (x.attrs === y.attrs) return true;
  return sameAsPath(x.attrs.asPath, y.attrs.asPath) && sameNextHop(a, b);
}

export function sameNextHop(a: InUse, b: InUse): boolean {
  const nx = a.route.attrs.nextHop;
  const ny = b.route.attrs.nextHop;
  return nx === undefined || ny === undefined ? nx === ny : addressEquals(nx, ny);
}

/** Orders addresses: family, then bytes. */
export function compareAddress(a: Address, b: Address): number {
  return a.family - b.family || compareBytes(a.bytes, b.bytes);
}
