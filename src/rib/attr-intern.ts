// Interned attribute sets. Ten peers announcing a million prefixes share far fewer
// distinct attribute sets than routes, so a route stores only a small integer (the set's
// id) and a set is stored once, with a reference count: when its last route goes, it is
// freed and its id reused. A real full table still has a few hundred thousand distinct
// sets per peer (per-prefix communities), so a set is kept lean: one row of 8 words in a
// Uint32Array (ids of its interned parts, MED, local-pref, origin) and no JS object of its
// own. Parts are interned with counts too: AS paths (JS arrays, shared by the sets of one
// path), next hops, community lists (one joined string, not an array of strings), and the
// rare attributes. get(id) builds the RouteAttributes object when someone asks for it.
//
// Sets are found by a hash of their whole content in a typed-array hash index and
// compared field by field, so a known set (the common case) costs one probe, and no key
// string is kept per entry, which a Map<string, id> would need.
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

/** Joined community lists: the string is the value, no wrapper object per entry. */
class ListTable extends RefTable<string, string> {
  protected same(id: number, c: string): boolean {
    return this.values[id] === c;
  }
  intern(key: string): number {
    const h = mix32(hashString(0x811c9dc5, key));
    const id = this.find(h, key);
    return id !== -1 ? id : this.add(h, key);
  }
  key(id: number): string {
    return this.values[id]!;
  }
}

/** Hash of a community list as if joined by spaces, without joining it. */
function hashList(h: number, xs: readonly string[]): number {
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) h = Math.imul(h ^ 0x20, 0x01000193);
    const s = xs[i];
    for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  }
  return Math.imul(h ^ 0xff, 0x01000193);
}

/** `key` (a stored joined list, '' for none) equals `xs` joined by spaces, without joining. */
function sameList(key: string, xs: readonly string[]): boolean {
  let pos = 0;
  for (let i = 0; i < xs.length; i++) {
    if (i > 0) {
      if (key.charCodeAt(pos) !== 0x20) return false;
      pos++;
    }
    const x = xs[i];
    if (!key.startsWith(x, pos)) return false;
    pos += x.length;
  }
  return pos === key.length;
}

/** Strings (rare-attribute keys) with an attached value. */
class StrTable<V> extends RefTable<{ readonly key: string; readonly value: V }, string> {
  protected same(id: number, c: string): boolean {
    return this.values[id]!.key === c;
  }
  intern(key: string, value: () => V): number {
    const h = mix32(hashString(0x811c9dc5, key));
    const id = this.find(h, key);
    return id !== -1 ? id : this.add(h, { key, value: value() });
  }
  key(id: number): string {
    return this.values[id]!.key;
  }
}

type Rare = Pick<
  RouteAttributes,
  'atomicAggregate' | 'aggregator' | 'extendedCommunities' | 'originatorId' | 'clusterList' | 'onlyToCustomer'
>;

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

const ORIGIN_BITS: Record<OriginName, number> = { igp: 1, egp: 2, incomplete: 3 };
const HAS_MED = 4;
const HAS_LP = 8;
/** A set's row: path, hop, communities, large communities, rare, MED, local-pref, flags (origin, has MED/LP). */
const F = 8;
const NO = 0xffffffff;

/**
 * One event's attributes prepared for lookup: the rare key, made once ('' when there are
 * no rare attributes, the usual case). Community lists are hashed and compared in place:
 * joining them would allocate a string per event only to find the set already known.
 */
interface Probe {
  a: RouteAttributes;
  rare: string;
}

function flagsOf(a: RouteAttributes): number {
  return (a.origin ? ORIGIN_BITS[a.origin] : 0) | (a.med !== undefined ? HAS_MED : 0) | (a.localPref !== undefined ? HAS_LP : 0);
}

class SetTable extends RefTable<true, Probe> {
  rows = new Uint32Array(64 * F);
  constructor(
    private readonly paths: PathTable,
    private readonly hops: HopTable,
    private readonly strs: ListTable,
    private readonly rares: StrTable<Rare>,
  ) {
    super();
  }
  protected same(id: number, c: Probe): boolean {
    const r = this.rows;
    const b = id * F;
    const a = c.a;
    if (r[b + 7] !== flagsOf(a) || r[b + 5] !== (a.med ?? 0) || r[b + 6] !== (a.localPref ?? 0)) return false;
    if (!sameAsPath(this.paths.values[r[b]]!, a.asPath)) return false;
    if (!sameList(r[b + 2] === NO ? '' : this.strs.key(r[b + 2]), a.communities)) return false;
    if (!sameList(r[b + 3] === NO ? '' : this.strs.key(r[b + 3]), a.largeCommunities)) return false;
    if ((r[b + 4] === NO ? '' : this.rares.key(r[b + 4])) !== c.rare) return false;
    if ((r[b + 1] === NO) !== (a.nextHop === undefined)) return false;
    if (a.nextHop) {
      const x = this.hops.values[r[b + 1]]!.bytes;
      const y = a.nextHop.bytes;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    }
    return true;
  }
  hash(c: Probe): number {
    const a = c.a;
    let h = hashAsPath(a.asPath);
    if (a.nextHop) for (let i = 0; i < a.nextHop.bytes.length; i++) h = Math.imul(h ^ a.nextHop.bytes[i], 0x01000193);
    h = hashList(h, a.communities);
    h = hashList(h, a.largeCommunities);
    h = mix32(h ^ (a.med ?? 0)) + flagsOf(a);
    h = mix32(h ^ (a.localPref ?? 0));
    // The rare attributes are left out of the hash (same() still compares them).
    return h >>> 0;
  }
}


export class AttrIntern {
  readonly paths = new PathTable();
  readonly hops = new HopTable();
  /** Joined community and large-community lists. */
  readonly lists = new ListTable();
  readonly rare = new StrTable<Rare>();
  readonly sets = new SetTable(this.paths, this.hops, this.lists, this.rare);
  private readonly probe: Probe = { a: undefined as unknown as RouteAttributes, rare: '' };
  // Identity cache: an UPDATE with many prefixes (BMP session, RIS Live) or the MRT
  // decoder's attribute cache hands us one RouteAttributes object for many events, so
  // seeing it again costs a reference count, not an interning. WAYS entries, so feeds of a
  // few peers interleaved (or an MRT RIB entry's peers) still hit; the last hit is tried first.
  private readonly cache: IdentityEntry[] = Array.from({ length: WAYS }, () => new IdentityEntry());
  private mru = 0;
  private victim = 0;
  // Built objects of recently asked sets (direct-mapped by id): consecutive changes of a
  // table load mostly share a set, and building one allocates its community arrays.
  private readonly builtIds = new Int32Array(4096).fill(-1);
  private readonly built: (RouteAttributes | undefined)[] = new Array(4096).fill(undefined);

  /** Interns `a` and takes one reference to the set; returns its id. */
  intern(a: RouteAttributes): number {
    const cache = this.cache;
    let e = cache[this.mru];
    if (e.obj === a && e.holds(a)) {
      this.sets.refs[e.id]++;
      return e.id;
    }
    for (let w = 0; w < WAYS; w++) {
      e = cache[w];
      if (e.obj === a && e.holds(a)) {
        this.mru = w;
        this.sets.refs[e.id]++;
        return e.id;
      }
    }
    const c = this.probe;
    c.a = a;
    c.rare = rareKey(a);
    const h = this.sets.hash(c);
    let id = this.sets.find(h, c);
    if (id === -1) {
      id = this.sets.add(h, true);
      this.sets.rows = grow(this.sets.rows, (id + 1) * F);
      const r = this.sets.rows;
      const b = id * F;
      r[b] = this.paths.intern(a.asPath);
      r[b + 1] = a.nextHop ? this.hops.intern(a.nextHop) : NO;
      // Community strings never contain a space, so the joined list is unambiguous.
      r[b + 2] = this.list(a.communities);
      r[b + 3] = this.list(a.largeCommunities);
      r[b + 4] = c.rare === '' ? NO : this.rare.intern(c.rare, () => copyRare(a));
      r[b + 5] = a.med ?? 0;
      r[b + 6] = a.localPref ?? 0;
      r[b + 7] = flagsOf(a);
    }
    c.a = undefined as unknown as RouteAttributes; // keep no reference to the feed's object
    // A changed object (see IdentityEntry) takes its old entry over, else the next victim.
    let w = 0;
    while (w < WAYS && cache[w].obj !== a) w++;
    if (w === WAYS) {
      w = this.victim;
      this.victim = (w + 1) & (WAYS - 1);
    }
    cache[w].set(a, id);
    this.mru = w;
    return id;
  }

  /** The interned joined list (NO when it joins to '', as the probe's sameList treats it). */
  private list(xs: readonly string[]): number {
    const k = xs.length === 0 ? '' : xs.join(' ');
    return k === '' ? NO : this.lists.intern(k);
  }

  /** Drops one reference to set `id`; frees it (and its parts' references) at zero. */
  release(id: number): void {
    if (!this.sets.release(id)) return;
    const r = this.sets.rows;
    const b = id * F;
    this.paths.release(r[b]);
    if (r[b + 1] !== NO) this.hops.release(r[b + 1]);
    if (r[b + 2] !== NO) this.lists.release(r[b + 2]);
    if (r[b + 3] !== NO) this.lists.release(r[b + 3]);
    if (r[b + 4] !== NO) this.rare.release(r[b + 4]);
    if (this.builtIds[id & 4095] === id) {
      this.builtIds[id & 4095] = -1;
      this.built[id & 4095] = undefined;
    }
    // The id is free and will be reused: no cached object may map to it any more.
    for (let w = 0; w < WAYS; w++) if (this.cache[w].id === id) this.cache[w].clear();
  }

  /** The attributes of set `id` (shared with other callers: never mutate). */
  get(id: number): RouteAttributes {
    const slot = id & 4095;
    if (this.builtIds[slot] === id) return this.built[slot]!;
    const r = this.sets.rows;
    const b = id * F;
    const out: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {
      asPath: this.paths.values[r[b]]!,
      communities: r[b + 2] === NO ? [] : this.lists.key(r[b + 2]).split(' '),
      largeCommunities: r[b + 3] === NO ? [] : this.lists.key(r[b + 3]).split(' '),
    };
    if (r[b + 1] !== NO) out.nextHop = this.hops.values[r[b + 1]];
    const f = r[b + 7];
    if (f & 3) out.origin = ORIGINS[(f & 3) - 1];
    if (f & HAS_MED) out.med = r[b + 5];
    if (f & HAS_LP) out.localPref = r[b + 6];
    if (r[b + 4] !== NO) Object.assign(out, this.rare.values[r[b + 4]]!.value);
    this.builtIds[slot] = id;
    this.built[slot] = out;
    return out;
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

const ORIGINS: readonly OriginName[] = ['igp', 'egp', 'incomplete'];

const WAYS = 8;

/**
 * One identity-cache entry: the object, the set id it interned to, and a fingerprint of
 * its fields. RouteAttributes are readonly by contract, and an object's identity cannot
 * be reused for another object while the entry holds it (a strong reference: at most WAYS
 * small objects are kept alive; the BMP session's detach() has already moved their
 * addresses off the socket buffer). The fingerprint is a cheap guard against a producer
 * that breaks the contract by refilling one object: any field replaced (or a list grown
 * or shrunk in place) makes the entry miss and the object be interned afresh. Writing
 * into an existing array element or address byte is not detected.
 */
class IdentityEntry {
  obj: RouteAttributes | undefined = undefined;
  id = -1;
  private asPath: AsPath | undefined = undefined;
  private pathLen = 0;
  private comm: readonly string[] | undefined = undefined;
  private commLen = 0;
  private large: readonly string[] | undefined = undefined;
  private largeLen = 0;
  private hop: Address | undefined = undefined;
  private med: number | undefined = undefined;
  private lp: number | undefined = undefined;
  private origin: OriginName | undefined = undefined;
  private ext: readonly string[] | undefined = undefined;

  holds(a: RouteAttributes): boolean {
    return (
      this.asPath === a.asPath &&
      this.pathLen === a.asPath.length &&
      this.comm === a.communities &&
      this.commLen === a.communities.length &&
      this.large === a.largeCommunities &&
      this.largeLen === a.largeCommunities.length &&
      this.hop === a.nextHop &&
      this.med === a.med &&
      this.lp === a.localPref &&
      this.origin === a.origin &&
      this.ext === a.extendedCommunities
    );
  }

  set(a: RouteAttributes, id: number): void {
    this.obj = a;
    this.id = id;
    this.asPath = a.asPath;
    this.pathLen = a.asPath.length;
    this.comm = a.communities;
    this.commLen = a.communities.length;
    this.large = a.largeCommunities;
    this.largeLen = a.largeCommunities.length;
    this.hop = a.nextHop;
    this.med = a.med;
    this.lp = a.localPref;
    this.origin = a.origin;
    this.ext = a.extendedCommunities;
  }

  clear(): void {
    this.obj = undefined;
    this.id = -1;
    this.asPath = this.comm = this.large = this.hop = this.ext = undefined;
  }
}

function copyRare(a: RouteAttributes): Rare {
  const out: { -readonly [K in keyof Rare]: Rare[K] } = {};
  if (a.atomicAggregate !== undefined) out.atomicAggregate = a.atomicAggregate;
  if (a.aggregator !== undefined) out.aggregator = { asn: a.aggregator.asn, address: copyAddress(a.aggregator.address) };
  if (a.extendedCommunities !== undefined) out.extendedCommunities = a.extendedCommunities.slice();
  if (a.originatorId !== undefined) out.originatorId = copyAddress(a.originatorId);
  if (a.clusterList !== undefined) out.clusterList = a.clusterList.map(copyAddress);
  if (a.onlyToCustomer !== undefined) out.onlyToCustomer = a.onlyToCustomer;
  return out;
}

function copyAddress(a: Address): Address {
  return { family: a.family, bytes: a.bytes.slice() };
}
