// The RIB: every route of every peer table of every router, keyed by prefix (and ADD-PATH
// path id). Layout, for memory per route (see BENCHMARKS.md, "RIB memory"):
// - one Patricia trie per family; a prefix is one trie node shared by all peers;
// - the node's value is the address of a chunk in a RouteSlab holding the prefix's routes
//   as packed records (peer-table index, path id, attribute-set id, since-seconds);
// - attribute sets interned with reference counts (attr-intern.ts), peer tables as small
//   integers (tables.ts). No JS object exists per route or per prefix.
//
// Resync rule: router-down and peer-down withdraw every route of that router / peer
// immediately (RouteChanges with that cause), so a reconnect starts from empty and cannot
// leave stale routes. A router-up or peer-up for a router / peer that is still up with
// routes means we missed the down (a new session): the old routes are withdrawn first.
//
// Pure: no I/O, no timers; times come from the events (ms; `since` is kept in seconds).
import type { Address } from '../model/address.ts';
import type { FeedEvent, FeedSource } from '../model/feed-event.ts';
import type { Prefix } from '../model/prefix.ts';
import type { RouteChange, RouteChangeCause, RouteChangeKind } from '../model/route-change.ts';
import type { PeerRef, RouteAttributes, RouteEvent, RouteTable } from '../model/route-event.ts';
import { AttrIntern } from './attr-intern.ts';
import { ourRoute } from './best-path.ts';
import { originsOf } from './origin.ts';
import { HAS_PATH_ID, HDR, PAGE_BITS, PAGE_MASK, REC, RouteSlab, TAG_INDEX } from './slab.ts';
import { type PeerTable, PeerTables, type RouterState, type SessionState, peerKey, routerKey } from './tables.ts';
import { NONE, PrefixTrie, fromWords, toWords } from './trie.ts';

export type ChangeSink = (change: RouteChange) => void;

/** One route as the RIB holds it. */
export interface RouteView {
  readonly source: FeedSource;
  readonly router: string;
  readonly peer: PeerRef;
  readonly table: RouteTable;
  readonly prefix: Prefix;
  readonly pathId?: number;
  readonly attrs: RouteAttributes;
  /** Since when (ms since epoch, whole seconds) the route has had these attributes. */
  readonly since: number;
}

export interface PrefixRoutes {
  readonly prefix: Prefix;
  readonly routes: RouteView[];
}

export interface LookupResult extends PrefixRoutes {
  /** Origin AS(es) over all routes of the prefix (origin.ts); more than one is a MOAS. */
  readonly origins: number[];
}

export interface OurRoute {
  readonly prefix: Prefix;
  readonly route: RouteView;
  /** 'loc-rib': the router's own choice; otherwise best-path.ts's choice over that table. */
  readonly from: 'loc-rib' | 'adj-rib-in-post' | 'adj-rib-in-pre';
}

export interface PeerView {
  readonly peer: PeerRef;
  readonly table: RouteTable;
  readonly state: SessionState;
  readonly routes: number;
  readonly endOfRib: boolean;
  readonly lastMessage: number;
}

export interface RouterView {
  readonly source: FeedSource;
  readonly router: string;
  readonly state: SessionState;
  readonly info: Readonly<Record<string, string>>;
  readonly lastMessage: number;
  readonly routes: number;
  readonly peers: PeerView[];
}

export interface RibStats {
  readonly prefixes: { readonly v4: number; readonly v6: number };
  readonly routes: number;
  readonly attributeSets: number;
  readonly asPaths: number;
  readonly peerTables: number;
  readonly routers: number;
  /** Bytes in the trie node arrays and slab pages (typed arrays; interned sets are extra). */
  readonly packedBytes: number;
}

interface Family {
  readonly trie: PrefixTrie;
  readonly slab: RouteSlab;
  readonly family: 4 | 6;
}

function seconds(ms: number): number {
  return Math.max(0, Math.min(0xffffffff, Math.floor(ms / 1000)));
}

export class Rib {
  readonly attrs = new AttrIntern();
  readonly tables = new PeerTables();
  private readonly v4: Family;
  private readonly v6: Family;
  private readonly key = new Uint32Array(4);
  private routeCount = 0;

  constructor() {
    const fam = (family: 4 | 6): Family => {
      const trie = new PrefixTrie(family);
      const moved = (owner: number, address: number): void => trie.setValue(owner, address);
      return { trie, family, slab: new RouteSlab(moved) };
    };
    this.v4 = fam(4);
    this.v6 = fam(6);
  }

  /**
   * Applies one feed event; every route it changes goes to `sink` (if given; without one
   * no RouteChange is even built). Returns the number of changes.
   */
  apply(ev: FeedEvent, sink?: ChangeSink): number {
    switch (ev.kind) {
      case 'route':
        return this.route(ev.event, sink);
      case 'peer-down': {
        const ts = this.tables.ofPeer(ev.source, ev.router, ev.peer, ev.table);
        for (const t of ts) this.touch(t, ev.time);
        return this.drop(ts, 'peer-down', ev.reason, ev.time, sink);
      }
      case 'router-down': {
        const r = this.tables.router(ev.source, ev.router);
        r.state = 'down';
        r.lastMessage = Math.max(r.lastMessage, ev.time);
        return this.drop(r.tables, 'router-down', ev.reason, ev.time, sink);
      }
      case 'router-up': {
        const r = this.tables.router(ev.source, ev.router);
        const n = r.state === 'up' ? this.drop(r.tables, 'router-down', 'router-up without router-down', ev.time, sink) : 0;
        r.state = 'up';
        r.info = ev.info;
        r.lastMessage = Math.max(r.lastMessage, ev.time);
        return n;
      }
      case 'peer-up': {
        const r = this.tables.router(ev.source, ev.router);
        // The BMP session names it `localAs` (the AS of the OPEN the router sent); RIS Live
        // sends no detail, so its routers' own AS stays unknown.
        const localAs = ev.detail?.localAs;
        if (typeof localAs === 'number' && localAs > 0) r.localAsns.set(peerKey(ev.peer), localAs);
        if (ev.table !== undefined) this.tables.index(ev.source, ev.router, ev.peer, ev.table);
        const ts = this.tables.ofPeer(ev.source, ev.router, ev.peer, ev.table);
        const n = this.drop(
          ts.filter((t) => t.state === 'up'),
          'peer-down',
          'peer-up without peer-down',
          ev.time,
          sink,
        );
        for (const t of ts) {
          t.state = 'up';
          t.endOfRib = false;
          this.touch(t, ev.time);
        }
        return n;
      }
      case 'end-of-rib': {
        const t = this.tables.all[this.tables.index(ev.source, ev.router, ev.peer, ev.table)];
        t.endOfRib = true;
        this.touch(t, ev.time);
        return 0;
      }
      case 'stats':
      case 'decode-error':
      case 'gap': {
        const r = this.tables.router(ev.source, ev.router);
        r.lastMessage = Math.max(r.lastMessage, ev.kind === 'gap' ? ev.to : ev.time);
        return 0;
      }
    }
  }

  /** apply() collecting the changes in an array. */
  changes(ev: FeedEvent): RouteChange[] {
    const out: RouteChange[] = [];
    this.apply(ev, (c) => out.push(c));
    return out;
  }

  private touch(t: PeerTable, time: number): void {
    if (time > t.lastMessage) t.lastMessage = time;
    if (time > t.owner.lastMessage) t.owner.lastMessage = time;
  }

  private route(e: RouteEvent, sink: ChangeSink | undefined): number {
    const ti = this.tables.index(e.source, e.router, e.peer, e.table);
    const t = this.tables.all[ti];
    if (e.time > t.lastMessage) this.touch(t, e.time);
    // A route means the session is up, whether or not we saw it come up.
    t.state = 'up';
    t.owner.state = 'up';
    const f = e.prefix.family === 4 ? this.v4 : this.v6;
    const k = this.key;
    toWords(e.prefix.bytes, k, e.prefix.len);
    const tag = (ti | (e.pathId !== undefined ? HAS_PATH_ID : 0)) >>> 0;
    const pid = e.pathId ?? 0;
    const trie = f.trie;
    if (e.kind === 'withdraw') {
      const node = trie.exact(k, e.prefix.len);
      if (node === -1) return 0;
      const addr = trie.value(node);
      const pg = f.slab.pages[addr >>> PAGE_BITS];
      const o = addr & PAGE_MASK;
      const end = o + HDR + pg[o + 1] * REC;
      for (let r = o + HDR; r < end; r += REC) {
        if (pg[r] !== tag || pg[r + 1] !== pid) continue;
        const old = pg[r + 2];
        if (sink) sink(this.change('withdraw', 'withdraw', t, e.prefix, tag, pid, old, -1, e.time));
        this.removeAt(f, node, addr, r, t);
        this.attrs.release(old);
        f.slab.maybeCompact();
        return 1;
      }
      return 0;
    }
    const id = this.attrs.intern(e.attrs);
    const sec = seconds(e.time);
    const node = trie.insert(k, e.prefix.len);
    let addr = trie.value(node);
    if (addr === NONE) {
      addr = f.slab.alloc(1, node);
      trie.setValue(node, addr);
    }
    let pg = f.slab.pages[addr >>> PAGE_BITS];
    let o = addr & PAGE_MASK;
    const cnt = pg[o + 1];
    const end = o + HDR + cnt * REC;
    for (let r = o + HDR; r < end; r += REC) {
      if (pg[r] !== tag || pg[r + 1] !== pid) continue;
      const old = pg[r + 2];
      if (old === id) {
        this.attrs.release(id); // duplicate announce: nothing changed, `since` stays
        return 0;
      }
      pg[r + 2] = id;
      pg[r + 3] = sec;
      if (sink) {
        const kind = !this.attrs.samePath(old, id)
          ? 'path-change'
          : !this.attrs.sameNextHop(old, id)
            ? 'next-hop-change'
            : 'attribute-change';
        sink(this.change(kind, 'update', t, e.prefix, tag, pid, old, id, e.time));
      }
      this.attrs.release(old);
      return 1;
    }
    const cap = pg[o];
    if (cnt === cap) {
      // Grow by one up to 4 routes, then by a quarter: exact for the common peer counts,
      // and O(n) copying overall for a prefix seen by thousands of peers or paths.
      const na = f.slab.alloc(cap < 4 ? cap + 1 : cap + (cap >>> 2), node);
      const npg = f.slab.pages[na >>> PAGE_BITS];
      const no = na & PAGE_MASK;
      npg.set(pg.subarray(o + HDR, end), no + HDR);
      npg[no + 1] = cnt;
      f.slab.free(addr);
      trie.setValue(node, na);
      pg = npg;
      o = no;
    }
    const r = o + HDR + cnt * REC;
    pg[r] = tag;
    pg[r + 1] = pid;
    pg[r + 2] = id;
    pg[r + 3] = sec;
    pg[o + 1] = cnt + 1;
    t.routes++;
    this.routeCount++;
    if (sink) sink(this.change('new', 'update', t, e.prefix, tag, pid, -1, id, e.time));
    f.slab.maybeCompact();
    return 1;
  }

  /** Removes the record at word `r` of the chunk at `addr` (node's); frees chunk and node when empty. */
  private removeAt(f: Family, node: number, addr: number, r: number, t: PeerTable): void {
    const pg = f.slab.pages[addr >>> PAGE_BITS];
    const o = addr & PAGE_MASK;
    const cnt = pg[o + 1] - 1;
    const last = o + HDR + cnt * REC;
    if (r !== last) pg.copyWithin(r, last, last + REC);
    pg[o + 1] = cnt;
    t.routes--;
    this.routeCount--;
    if (cnt === 0) {
      f.slab.free(addr);
      f.trie.remove(node);
    }
  }

  private change(
    kind: RouteChangeKind,
    cause: RouteChangeCause,
    t: PeerTable,
    prefix: Prefix,
    tag: number,
    pid: number,
    before: number,
    after: number,
    time: number,
    reason?: string,
  ): RouteChange {
    const c: { -readonly [K in keyof RouteChange]: RouteChange[K] } = {
      kind,
      cause,
      source: t.source,
      router: t.router,
      peer: t.peer,
      table: t.table,
      prefix,
      time,
    };
    if (tag & HAS_PATH_ID) c.pathId = pid;
    if (before !== -1) c.before = this.attrs.get(before);
    if (after !== -1) c.after = this.attrs.get(after);
    if (kind === 'path-change') c.nextHopChanged = !this.attrs.sameNextHop(before, after);
    if (reason !== undefined) c.reason = reason;
    return c;
  }

  /**
   * Withdraws every route of the given peer tables (marks them down). One pass over the
   * table, as GoBGP and BIRD do on a session drop: no per-peer index costs memory per route.
   */
  private drop(ts: readonly PeerTable[], cause: RouteChangeCause, reason: string, time: number, sink?: ChangeSink): number {
    const mark = new Uint8Array(this.tables.all.length);
    let routes = 0;
    for (const t of ts) {
      t.state = 'down';
      t.endOfRib = false;
      routes += t.routes;
      mark[t.index] = 1;
    }
    if (routes === 0) return 0;
    let n = 0;
    for (const f of [this.v4, this.v6]) {
      const trie = f.trie;
      for (let node = 0; node < trie.used; node++) {
        const addr = trie.value(node);
        if (addr === NONE) continue;
        const pg = f.slab.pages[addr >>> PAGE_BITS];
        const o = addr & PAGE_MASK;
        let prefix: Prefix | undefined;
        // Backwards, so the swap-with-last removal never skips a record.
        for (let i = pg[o + 1] - 1; i >= 0; i--) {
          const r = o + HDR + i * REC;
          const tag = pg[r];
          if (mark[tag & TAG_INDEX] === 0) continue;
          const t = this.tables.all[tag & TAG_INDEX];
          const old = pg[r + 2];
          if (sink) {
            prefix ??= this.prefixOf(f, node);
            sink(this.change('withdraw', cause, t, prefix, tag, pg[r + 1], old, -1, time, reason));
          }
          this.removeAt(f, node, addr, r, t);
          this.attrs.release(old);
          n++;
        }
      }
      f.slab.maybeCompact();
    }
    return n;
  }

  private prefixOf(f: Family, node: number): Prefix {
    const w = new Uint32Array(4);
    const len = f.trie.keyOf(node, w);
    return { family: f.family, len, bytes: fromWords(w, f.trie.words) };
  }

  private views(f: Family, node: number, prefix?: Prefix): RouteView[] {
    const p = prefix ?? this.prefixOf(f, node);
    const addr = f.trie.value(node);
    const pg = f.slab.pages[addr >>> PAGE_BITS];
    const o = addr & PAGE_MASK;
    const out: RouteView[] = [];
    for (let i = 0; i < pg[o + 1]; i++) {
      const r = o + HDR + i * REC;
      const t = this.tables.all[pg[r] & TAG_INDEX];
      const v: { -readonly [K in keyof RouteView]: RouteView[K] } = {
        source: t.source,
        router: t.router,
        peer: t.peer,
        table: t.table,
        prefix: p,
        attrs: this.attrs.get(pg[r + 2]),
        since: pg[r + 3] * 1000,
      };
      if (pg[r] & HAS_PATH_ID) v.pathId = pg[r + 1];
      out.push(v);
    }
    return out;
  }

  private fam(x: Prefix | Address): Family {
    toWords(x.bytes, this.key, 'len' in x ? x.len : x.bytes.length * 8);
    return x.family === 4 ? this.v4 : this.v6;
  }

  /**
   * Current routes for `prefix`: with `exact` (the default) those of exactly that prefix;
   * otherwise those of the longest prefix in the RIB covering it (itself included).
   */
  routes(prefix: Prefix, opts: { exact?: boolean } = {}): RouteView[] {
    const f = this.fam(prefix);
    const node = opts.exact === false ? f.trie.longest(this.key, prefix.len) : f.trie.exact(this.key, prefix.len);
    return node === -1 ? [] : this.views(f, node, opts.exact === false ? undefined : prefix);
  }

  /** Every prefix inside `prefix` (itself included) with its routes, in address order. */
  covered(prefix: Prefix): PrefixRoutes[] {
    const f = this.fam(prefix);
    const out: PrefixRoutes[] = [];
    f.trie.covered(this.key, prefix.len, (node) => {
      const p = this.prefixOf(f, node);
      out.push({ prefix: p, routes: this.views(f, node, p) });
    });
    return out;
  }

  /** Every prefix covering `target` (longest first) with its routes. */
  coveringRoutes(target: Prefix | Address): PrefixRoutes[] {
    const f = this.fam(target);
    const len = 'len' in target ? target.len : f.trie.maxLen;
    return f.trie
      .covering(this.key, len)
      .reverse()
      .map((node) => {
        const p = this.prefixOf(f, node);
        return { prefix: p, routes: this.views(f, node, p) };
      });
  }

  /** Longest-prefix match for an address: the covering prefix, its origin AS(es) and routes. */
  lookup(address: Address): LookupResult | undefined {
    const f = this.fam(address);
    const node = f.trie.longest(this.key, f.trie.maxLen);
    if (node === -1) return undefined;
    const p = this.prefixOf(f, node);
    const routes = this.views(f, node, p);
    return { prefix: p, origins: originsOf(routes.map((r) => r.attrs.asPath)), routes };
  }

  /** See best-path.ts: the router's Loc-RIB route, else its best path, towards `target`. */
  ourRoute(target: Prefix | Address, router: string, source?: FeedSource): OurRoute | undefined {
    return ourRoute(this, target, router, source);
  }

  /** The router's state (any source when `source` is not given). */
  routerState(router: string, source?: string): RouterState | undefined {
    if (source !== undefined) return this.tables.routers.get(routerKey(source as FeedSource, router));
    for (const r of this.tables.routers.values()) if (r.router === router) return r;
    return undefined;
  }

  routers(): RouterView[] {
    return [...this.tables.routers.values()].map((r) => ({
      source: r.source,
      router: r.router,
      state: r.state,
      info: r.info,
      lastMessage: r.lastMessage,
      routes: r.tables.reduce((s, t) => s + t.routes, 0),
      peers: r.tables.map((t) => ({
        peer: t.peer,
        table: t.table,
        state: t.state,
        routes: t.routes,
        endOfRib: t.endOfRib,
        lastMessage: t.lastMessage,
      })),
    }));
  }

  stats(): RibStats {
    return {
      prefixes: { v4: this.v4.trie.entries, v6: this.v6.trie.entries },
      routes: this.routeCount,
      attributeSets: this.attrs.sets.size,
      asPaths: this.attrs.paths.size,
      peerTables: this.tables.all.length,
      routers: this.tables.routers.size,
      packedBytes: this.v4.trie.bytes() + this.v6.trie.bytes() + this.v4.slab.bytes() + this.v6.slab.bytes(),
    };
  }

  /** Slides the route slabs over their garbage now (apply() also does it when worthwhile). */
  compact(): void {
    this.v4.slab.compact();
    this.v6.slab.compact();
  }
}
