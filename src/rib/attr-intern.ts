// Interned attribute sets. Ten peers announcing a million prefixes share far fewer
// distinct attribute sets than routes, so a route stores only a small integer (the set's
// id) and a set is stored once, with a reference count: when its last route goes, it is
// freed and its id reused. Sets are built from interned parts (AS path, next hop,
// community lists), so sets that differ only in, say, MED share their AS path array.
//
// Tables are keyed by a hash of the canonical content (AS numbers, address bytes,
// community strings; for a set, its parts' ids and the scalar attributes) in a typed-array
// hash index, and candidates are compared field by field: no key string is built per
// event or kept per entry, which a Map<string, id> would need.
//
// Change detection compares ids: same set id = duplicate announce, same path id = the
// path did not change, same next-hop id = the next hop did not change.
//
// Interned values are copies: a feed's RouteAttributes may hold views into a message
// buffer that would otherwise stay alive as long as the route.
import { type Address, formatAddress } from '../model/address.ts';
import type { AsPath, OriginName, RouteAttributes } from '../model/route-event.ts';
import { HashIndex, mix32 } from './hash-index.ts';

function hashString(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xff, 0x01000193);
}

function grow<T extends Int32Array | Uint32Array | Uint8Array>(a: T, need: number): T {
  if (need < a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need + 1, a.length * 2));
  b.set(a);
  return b;
}

/** Values -> small ids with reference counts, found by hash + `same`; freed ids are reused. */
abstract class RefTable<V, C> {
  readonly values: (V | undefined)[] = [];
  refs = new Int32Array(64);
  private hashes = new Uint32Array(64);
  private readonly index = new HashIndex();
  private readonly freeIds: number[] = [];
  private top = 0;
  size = 0;

  protected abstract same(id: number, c: C): boolean;

  /** The id of the entry equal to `c` (hash `h`) with one more reference, or -1. */
  find(h: number, c: C): number {
    for (let s = this.index.first(h); s !== -1; s = this.index.next(s, h)) {
      const id = this.index.id(s);
      if (this.same(id, c)) {
        this.refs[id]++;
        return id;
      }
    }
    return -1;
  }

  /** Adds `v` (not present) under hash `h` with one reference. */
  add(h: number, v: V): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.top++;
    this.refs = grow(this.refs, id);
    this.hashes = grow(this.hashes, id);
    this.values[id] = v;
    this.refs[id] = 1;
    this.hashes[id] = h;
    this.index.add(h, id);
    this.size++;
    return id;
  }

  /** Drops one reference; true when it was the last and the entry is freed. */
  release(id: number): boolean {
    if (--this.refs[id] > 0) return false;
    this.index.remove(this.hashes[id], id);
    this.values[id] = undefined;
    this.freeIds.push(id);
    this.size--;
    return true;
  }

  /** Ids ever used (for sizing per-id arrays). */
  get capacity(): number {
    return this.top;
  }
}

export function hashAsPath(p: AsPath): number {
  let h = 0x811c9dc5;
  for (const x of p) {
    if (typeof x === 'number') h = mix32(h ^ x) + 1;
    else {
      h = mix32(h ^ 0x5e7) + 2; // an AS_SET is not the same as its members in sequence
      for (const a of x) h = mix32(h ^ a) + 3;
    }
  }
  return h >>> 0;
}

function sameAsPath(a: AsPath, b: AsPath): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' || typeof y === 'number') {
      if (x !== y) return false;
    } else if (x.length !== y.length || x.some((v, j) => v !== y[j])) return false;
  }
  return true;
}

class PathTable extends RefTable<AsPath, AsPath> {
  protected same(id: number, c: AsPath): boolean {
    return sameAsPath(this.values[id]!, c);
  }
  intern(p: AsPath): number {
    const h = hashAsPath(p);
    const id = this.find(h, p);
    return id !== -1 ? id : this.add(h, p.map((x) => (typeof x === 'number' ? x : x.slice())));
  }
}

class HopTable extends RefTable<Address, Address> {
  protected same(id: number, c: Address): boolean {
    const v = this.values[id]!.bytes;
    if (v.length !== c.bytes.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== c.bytes[i]) return false;
    return true;
  }
  intern(a: Address): number {
    let h = a.bytes.length;
    for (let i = 0; i < a.bytes.length; i++) h = Math.imul(h ^ a.bytes[i], 0x01000193);
    h = mix32(h);
    const id = this.find(h, a);
    return id !== -1 ? id : this.add(h, { family: a.family, bytes: a.bytes.slice() });
  }
}

class ListTable extends RefTable<readonly string[], readonly string[]> {
  protected same(id: number, c: readonly string[]): boolean {
    const v = this.values[id]!;
    if (v.length !== c.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== c[i]) return false;
    return true;
  }
  intern(l: readonly string[]): number {
    let h = 0x811c9dc5;
    for (const s of l) h = hashString(h, s);
    h = mix32(h);
    const id = this.find(h, l);
    return id !== -1 ? id : this.add(h, l.slice());
  }
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
  return `${a.atomicAggregate === undefined ? '' : a.atomicAggregate ? 1 : 0};${agg};${ext};${orig};${clusters};${a.onlyToCustomer ?? ''}`;
}

class RareTable extends ListTable {}

const ORIGIN_BITS: Record<OriginName, number> = { igp: 1, egp: 2, incomplete: 3 };
/** Per set id, its parts' ids: path, hop, communities, large communities, rare. */
const F = 5;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hashList(h: number, l: readonly string[]): number {
  for (const s of l) h = hashString(h, s);
  return mix32(h ^ l.length);
}

/**
 * Attribute sets, found by a hash of their whole content and compared with the stored
 * set field by field, so a known set (the common case) costs one probe, not one per part.
 * Per id, `rows` keeps its parts' ids (path, hop, communities, large communities, rare)
 * for release and for cheap path / next-hop comparison.
 */
class SetTable extends RefTable<RouteAttributes, RouteAttributes> {
  rows = new Uint32Array(64 * F);
  rareOf: (id: number) => string = () => '';
  protected same(id: number, a: RouteAttributes): boolean {
    const v = this.values[id]!;
    if (v.med !== a.med || v.localPref !== a.localPref || v.origin !== a.origin) return false;
    if (!sameAsPath(v.asPath, a.asPath) || !sameList(v.communities, a.communities)) return false;
    if (!sameList(v.largeCommunities, a.largeCommunities)) return false;
    if ((v.nextHop === undefined) !== (a.nextHop === undefined)) return false;
    if (v.nextHop && a.nextHop) {
      const x = v.nextHop.bytes;
      const y = a.nextHop.bytes;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    }
    return this.rareOf(id) === rareKey(a);
  }
  hash(a: RouteAttributes): number {
    let h = hashAsPath(a.asPath);
    if (a.nextHop) for (let i = 0; i < a.nextHop.bytes.length; i++) h = Math.imul(h ^ a.nextHop.bytes[i], 0x01000193);
    h = hashList(h, a.communities);
    h = hashList(h, a.largeCommunities);
    h = mix32(h ^ (a.med ?? 0x7fffffff)) + (a.origin ? ORIGIN_BITS[a.origin] : 0);
    h = mix32(h ^ (a.localPref ?? 0x7ffffffe));
    // The rare attributes are left out of the hash (same() still compares them).
    return h >>> 0;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);
const NO = 0xffffffff;

export class AttrIntern {
  readonly paths = new PathTable();
  readonly hops = new HopTable();
  readonly lists = new ListTable();
  readonly rare = new RareTable();
  readonly sets = new SetTable();
  private readonly row = new Uint32Array(F);
  // One-entry identity cache: an UPDATE with many prefixes, or an MRT attribute cache,
  // hands us the same RouteAttributes object many times in a row.
  private lastObj: RouteAttributes | undefined;
  private lastId = -1;

  constructor() {
    this.sets.rareOf = (id) => {
      const r = this.sets.rows[id * F + 4];
      return r === NO ? '' : this.rare.values[r]![0];
    };
  }

  /** Interns `a` and takes one reference to the set; returns its id. */
  intern(a: RouteAttributes): number {
    if (a === this.lastObj) {
      this.sets.refs[this.lastId]++;
      return this.lastId;
    }
    const h = this.sets.hash(a);
    let id = this.sets.find(h, a);
    if (id === -1) {
      const c = this.row;
      c[0] = this.paths.intern(a.asPath);
      c[1] = a.nextHop ? this.hops.intern(a.nextHop) : NO;
      c[2] = a.communities.length > 0 ? this.lists.intern(a.communities) : NO;
      c[3] = a.largeCommunities.length > 0 ? this.lists.intern(a.largeCommunities) : NO;
      const rare = rareKey(a);
      c[4] = rare === '' ? NO : this.rare.intern([rare]);
      id = this.sets.add(h, this.build(a, c));
      this.sets.rows = grow(this.sets.rows, (id + 1) * F);
      this.sets.rows.set(c, id * F);
    }
    this.lastObj = a;
    this.lastId = id;
    return id;
  }

  private releaseParts(r: Uint32Array, b: number): void {
    this.paths.release(r[b]);
    if (r[b + 1] !== NO) this.hops.release(r[b + 1]);
    if (r[b + 2] !== NO) this.lists.release(r[b + 2]);
    if (r[b + 3] !== NO) this.lists.release(r[b + 3]);
    if (r[b + 4] !== NO) this.rare.release(r[b + 4]);
  }

  private build(a: RouteAttributes, c: Uint32Array): RouteAttributes {
    const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {
      asPath: this.paths.values[c[0]]!,
      communities: c[2] === NO ? EMPTY : this.lists.values[c[2]]!,
      largeCommunities: c[3] === NO ? EMPTY : this.lists.values[c[3]]!,
    };
    if (c[1] !== NO) out.nextHop = this.hops.values[c[1]];
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
    this.releaseParts(this.sets.rows, id * F);
    if (id === this.lastId) {
      this.lastObj = undefined;
      this.lastId = -1;
    }
  }

  get(id: number): RouteAttributes {
    return this.sets.values[id]!;
  }

  refs(id: number): number {
    return this.sets.refs[id];
  }

  samePath(a: number, b: number): boolean {
    return this.sets.rows[a * F] === this.sets.rows[b * F];
  }

  sameNextHop(a: number, b: number): boolean {
    return this.sets.rows[a * F + 1] === this.sets.rows[b * F + 1];
  }
}

function copyAddress(a: Address): Address {
  return { family: a.family, bytes: a.bytes.slice() };
}
