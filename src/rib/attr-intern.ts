// Interned attribute sets. Ten peers announcing a million prefixes share far fewer
// distinct attribute sets than routes, so a route stores only a small integer (the set's
// id) and a set is stored once, with a reference count: when its last route goes, it is
// freed and its id reused. Sets are built from interned parts (AS path, next hop,
// community lists), so sets that differ only in, say, MED share their AS path array, and
// a set's key is short: the parts' ids plus the scalar attributes.
//
// Change detection compares ids: same set id = duplicate announce, same path id = the
// path did not change, same next-hop id = the next hop did not change.
//
// Interned values are copies: a feed's RouteAttributes may hold views into a message
// buffer that would otherwise stay alive as long as the route.
import { type Address, formatAddress } from '../model/address.ts';
import type { AsPath, RouteAttributes } from '../model/route-event.ts';

/** Strings -> small ids with reference counts; ids of freed entries are reused. */
export class Interner<T> {
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  readonly values: T[] = [];
  readonly refs: number[] = [];
  private readonly freeIds: number[] = [];
  size = 0;

  /** The id for `key` with its count raised, or -1 when `key` is not interned. */
  ref(key: string): number {
    const id = this.ids.get(key);
    if (id === undefined) return -1;
    this.refs[id]++;
    return id;
  }

  /** Interns `value` under `key` (absent) with count 1. */
  add(key: string, value: T): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.keys.length;
    this.ids.set(key, id);
    this.keys[id] = key;
    this.values[id] = value;
    this.refs[id] = 1;
    this.size++;
    return id;
  }

  /** Lowers the count; true when it reached zero and the entry was freed. */
  release(id: number): boolean {
    if (--this.refs[id] > 0) return false;
    this.ids.delete(this.keys[id]);
    this.keys[id] = '';
    this.values[id] = undefined as T;
    this.freeIds.push(id);
    this.size--;
    return true;
  }
}

const ORIGIN_CODE = { igp: 'i', egp: 'e', incomplete: '?' } as const;

function copyAddress(a: Address): Address {
  return { family: a.family, bytes: a.bytes.slice() };
}

function addressKey(a: Address): string {
  const b = a.bytes;
  let s = '';
  for (let i = 0; i < b.length; i += 4) s += `${((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0}.`;
  return s;
}

export function asPathKey(p: AsPath): string {
  let s = '';
  for (const x of p) s += typeof x === 'number' ? `${x} ` : `{${x.join(',')}} `;
  return s;
}

/** The rarely present attributes as one string ('' when none is present). */
function rareKey(a: RouteAttributes): string {
  if (
    a.atomicAggregate === undefined &&
    a.aggregator === undefined &&
    a.extendedCommunities === undefined &&
    a.originatorId === undefined &&
    a.clusterList === undefined &&
    a.onlyToCustomer === undefined
  ) {
    return '';
  }
  const agg = a.aggregator ? `${a.aggregator.asn}@${formatAddress(a.aggregator.address)}` : '';
  const orig = a.originatorId ? formatAddress(a.originatorId) : '';
  const clusters = a.clusterList ? a.clusterList.map(formatAddress).join(',') : '-';
  const ext = a.extendedCommunities ? a.extendedCommunities.join(',') : '-';
  return `;${a.atomicAggregate ? 1 : 0};${agg};${ext};${orig};${clusters};${a.onlyToCustomer ?? ''}`;
}

export class AttrIntern {
  readonly paths = new Interner<AsPath>();
  readonly hops = new Interner<Address>();
  readonly lists = new Interner<readonly string[]>();
  readonly sets = new Interner<RouteAttributes>();
  /** Per set id: the ids of its parts (-1 = absent). */
  private readonly pathOf: number[] = [];
  private readonly hopOf: number[] = [];
  private readonly commOf: number[] = [];
  private readonly largeOf: number[] = [];
  // One-entry identity cache: an UPDATE with many prefixes, or an MRT attribute cache,
  // hands us the same RouteAttributes object many times in a row.
  private lastObj: RouteAttributes | undefined;
  private lastId = -1;

  /** Interns `a` and takes one reference to the set; returns its id. */
  intern(a: RouteAttributes): number {
    if (a === this.lastObj) {
      this.sets.refs[this.lastId]++;
      return this.lastId;
    }
    const p = this.part(this.paths, asPathKey(a.asPath), a.asPath, copyPath);
    const h = a.nextHop ? this.part(this.hops, addressKey(a.nextHop), a.nextHop, copyAddress) : -1;
    const c = a.communities.length > 0 ? this.part(this.lists, `c${a.communities.join(' ')}`, a.communities, copyList) : -1;
    const l =
      a.largeCommunities.length > 0 ? this.part(this.lists, `l${a.largeCommunities.join(' ')}`, a.largeCommunities, copyList) : -1;
    const origin = a.origin === undefined ? '' : ORIGIN_CODE[a.origin];
    const key = `${p},${h},${c},${l},${origin},${a.med ?? ''},${a.localPref ?? ''}${rareKey(a)}`;
    let id = this.sets.ref(key);
    if (id !== -1) {
      // The set holds one reference to each part already: drop the ones just taken.
      this.releaseParts(p, h, c, l);
    } else {
      id = this.sets.add(key, this.build(a, p, h, c, l));
      this.pathOf[id] = p;
      this.hopOf[id] = h;
      this.commOf[id] = c;
      this.largeOf[id] = l;
    }
    this.lastObj = a;
    this.lastId = id;
    return id;
  }

  private part<T>(table: Interner<T>, key: string, value: T, copy: (v: T) => T): number {
    const id = table.ref(key);
    return id !== -1 ? id : table.add(key, copy(value));
  }

  private releaseParts(p: number, h: number, c: number, l: number): void {
    this.paths.release(p);
    if (h !== -1) this.hops.release(h);
    if (c !== -1) this.lists.release(c);
    if (l !== -1) this.lists.release(l);
  }

  private build(a: RouteAttributes, p: number, h: number, c: number, l: number): RouteAttributes {
    const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {
      asPath: this.paths.values[p],
      communities: c === -1 ? EMPTY : this.lists.values[c],
      largeCommunities: l === -1 ? EMPTY : this.lists.values[l],
    };
    if (h !== -1) out.nextHop = this.hops.values[h];
    if (a.origin !== undefined) out.origin = a.origin;
    if (a.med !== undefined) out.med = a.med;
    if (a.localPref !== undefined) out.localPref = a.localPref;
    if (a.atomicAggregate !== undefined) out.atomicAggregate = a.atomicAggregate;
    if (a.aggregator !== undefined) out.aggregator = { asn: a.aggregator.asn, address: copyAddress(a.aggregator.address) };
    if (a.extendedCommunities !== undefined) out.extendedCommunities = a.extendedCommunities.slice();
    if (a.originatorId !== undefined) out.originatorId = copyAddress(a.originatorId);
    if (a.clusterList !== undefined) out.clusterList = a.clusterList.map(copyAddress);
    if (a.onlyToCustomer !== undefined) out.onlyToCustomer = a.onlyToCustomer;
    return out;
  }

  /** Drops one reference to set `id`; frees it (and its parts' references) at zero. */
  release(id: number): void {
    if (!this.sets.release(id)) return;
    this.releaseParts(this.pathOf[id], this.hopOf[id], this.commOf[id], this.largeOf[id]);
    if (id === this.lastId) {
      this.lastObj = undefined;
      this.lastId = -1;
    }
  }

  get(id: number): RouteAttributes {
    return this.sets.values[id];
  }

  refs(id: number): number {
    return this.sets.refs[id];
  }

  samePath(a: number, b: number): boolean {
    return this.pathOf[a] === this.pathOf[b];
  }

  sameNextHop(a: number, b: number): boolean {
    return this.hopOf[a] === this.hopOf[b];
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

function copyPath(p: AsPath): AsPath {
  return p.map((x) => (typeof x === 'number' ? x : x.slice()));
}

function copyList(l: readonly string[]): readonly string[] {
  return l.slice();
}
