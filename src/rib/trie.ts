// A path-compressed binary (Patricia) trie over prefixes of one family, for exact match,
// longest-prefix match and subtree walks. Nodes are records in one Uint32Array (array of
// structs: a node's key, length, links and value share a cache line, so a walk costs one
// miss a level, not five), never JS objects the GC would trace. A node either carries a
// value (a prefix in the table) or is a glue node where two branches part; glue nodes
// always have two children, so there are fewer than 2 nodes per prefix.
// Exact matches (every announce and withdraw) go through a hash index of the nodes with a
// value instead of walking ~20 levels; walks remain for inserts, LPM and subtree queries.
//
// Keys are 32-bit big-endian words: 1 word for IPv4, 4 for IPv6, stored masked to the
// node's length. Node ids are reused through a free list and never move, so the caller
// may keep them (the RIB stores a node id in each route chunk's header).
import { HashIndex, mix32 } from './hash-index.ts';

/** "No value" (and "no node" in links). Values must be below it. */
export const NONE = 0xffffffff;

function wordMask(len: number, w: number): number {
  const bits = len - w * 32;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

export class PrefixTrie {
  /** Words per key: 1 (IPv4) or 4 (IPv6). */
  readonly words: number;
  readonly maxLen: number;
  // Record layout: key words, then these offsets.
  private readonly LEN: number;
  private readonly LEFT: number;
  private readonly RIGHT: number;
  private readonly PARENT: number;
  private readonly VAL: number;
  private readonly S: number;
  private n: Uint32Array;
  private cap: number;
  private readonly index = new HashIndex();
  /** High-water mark of node ids: every node id in use is below it. */
  used = 0;
  private freeHead = NONE;
  private root = NONE;
  /** Nodes carrying a value. */
  entries = 0;
  /** Nodes in use (values and glue). */
  nodes = 0;

  constructor(family: 4 | 6, initialCapacity = 1024) {
    this.words = family === 4 ? 1 : 4;
    this.maxLen = this.words * 32;
    this.LEN = this.words;
    this.LEFT = this.words + 1;
    this.RIGHT = this.words + 2;
    this.PARENT = this.words + 3;
    this.VAL = this.words + 4;
    this.S = this.words + 5;
    this.cap = initialCapacity;
    this.n = new Uint32Array(this.cap * this.S);
  }

  /** Bit `i` (0 = most significant) of the key at k[off..]. */
  private static bit(k: Uint32Array, off: number, i: number): number {
    return (k[off + (i >>> 5)] >>> (31 - (i & 31))) & 1;
  }

  /** Length of the common prefix of `k` and node `x`'s key, capped at `max`. */
  private common(k: Uint32Array, x: number, max: number): number {
    const base = x * this.S;
    for (let w = 0; w < this.words; w++) {
      if (w * 32 >= max) return max;
      const d = (k[w] ^ this.n[base + w]) >>> 0;
      if (d !== 0) {
        const c = w * 32 + Math.clz32(d);
        return c < max ? c : max;
      }
    }
    return max;
  }

  private hash(k: Uint32Array, len: number): number {
    let h = mix32(len + 0x9e3779b9);
    for (let w = 0; w < this.words; w++) h = mix32(h ^ k[w]);
    return h;
  }

  /** hash() of node x's own key (no subarray view: that would allocate per insert and remove). */
  private nodeHash(x: number): number {
    const b = x * this.S;
    let h = mix32(this.n[b + this.LEN] + 0x9e3779b9);
    for (let w = 0; w < this.words; w++) h = mix32(h ^ this.n[b + w]);
    return h;
  }

  private child(x: number, b: number): number {
    return this.n[x * this.S + (b ? this.RIGHT : this.LEFT)];
  }

  /** The value of node x (NONE for glue). */
  value(x: number): number {
    return this.n[x * this.S + this.VAL];
  }

  private alloc(k: Uint32Array, len: number): number {
    let x = this.freeHead;
    if (x !== NONE) this.freeHead = this.n[x * this.S + this.LEFT];
    else {
      if (this.used === this.cap) {
        this.cap *= 2;
        const n = new Uint32Array(this.cap * this.S);
        n.set(this.n);
        this.n = n;
      }
      x = this.used++;
    }
    const b = x * this.S;
    for (let w = 0; w < this.words; w++) this.n[b + w] = (k[w] & wordMask(len, w)) >>> 0;
    this.n[b + this.LEN] = len;
    this.n[b + this.LEFT] = NONE;
    this.n[b + this.RIGHT] = NONE;
    this.n[b + this.PARENT] = NONE;
    this.n[b + this.VAL] = NONE;
    this.nodes++;
    return x;
  }

  private release(x: number): void {
    const b = x * this.S;
    this.n[b + this.VAL] = NONE;
    this.n[b + this.LEFT] = this.freeHead;
    this.n[b + this.RIGHT] = NONE;
    this.n[b + this.LEN] = 0;
    this.freeHead = x;
    this.nodes--;
  }

  private setChild(p: number, b: number, c: number): void {
    this.n[p * this.S + (b ? this.RIGHT : this.LEFT)] = c;
    this.n[c * this.S + this.PARENT] = p;
  }

  /** Puts `nw` where `old` hangs (under old's parent, or as root). */
  private replace(old: number, nw: number): void {
    const p = this.n[old * this.S + this.PARENT];
    this.n[nw * this.S + this.PARENT] = p;
    if (p === NONE) this.root = nw;
    else if (this.n[p * this.S + this.LEFT] === old) this.n[p * this.S + this.LEFT] = nw;
    else this.n[p * this.S + this.RIGHT] = nw;
  }

  /**
   * The node for key/len, created if absent. A node without a value (new or glue) must be
   * given one with setValue (or dropped with remove) before the next insert or remove.
   */
  insert(k: Uint32Array, len: number): number {
    const found = this.exact(k, len);
    if (found !== -1) return found;
    if (this.root === NONE) {
      const x = this.alloc(k, len);
      this.root = x;
      return x;
    }
    let x = this.root;
    for (;;) {
      const nl = this.n[x * this.S + this.LEN];
      const cl = this.common(k, x, nl < len ? nl : len);
      if (cl === nl) {
        if (nl === len) return x; // a glue node
        const b = PrefixTrie.bit(k, 0, nl);
        const c = this.child(x, b);
        if (c === NONE) {
          const y = this.alloc(k, len);
          this.setChild(x, b, y);
          return y;
        }
        x = c;
        continue;
      }
      const xb = PrefixTrie.bit(this.n, x * this.S, cl);
      if (cl === len) {
        // The new prefix covers node x: it goes between x and x's parent.
        const y = this.alloc(k, len);
        this.replace(x, y);
        this.setChild(y, xb, x);
        return y;
      }
      // They part at bit cl: a glue node there, x on one side, the new node on the other.
      const g = this.alloc(k, cl);
      this.replace(x, g);
      this.setChild(g, xb, x);
      const y = this.alloc(k, len);
      this.setChild(g, xb ^ 1, y);
      return y;
    }
  }

  /** The node holding a value for exactly key/len (key bits past len must be zero), or -1. */
  exact(k: Uint32Array, len: number): number {
    const h = this.hash(k, len);
    for (let s = this.index.first(h); s !== -1; s = this.index.next(s, h)) {
      const x = this.index.id(s);
      if (this.n[x * this.S + this.LEN] === len && this.common(k, x, len) === len) return x;
    }
    return -1;
  }

  /** Gives node x (from insert) its value. */
  setValue(x: number, v: number): void {
    const b = x * this.S;
    if (this.n[b + this.VAL] === NONE) {
      this.entries++;
      this.index.add(this.nodeHash(x), x);
    }
    this.n[b + this.VAL] = v;
  }

  /** Nodes with a value covering key/len (length <= len), shortest first. */
  covering(k: Uint32Array, len: number): number[] {
    const out: number[] = [];
    let x = this.root;
    while (x !== NONE) {
      const nl = this.n[x * this.S + this.LEN];
      if (nl > len || this.common(k, x, nl) < nl) break;
      if (this.value(x) !== NONE) out.push(x);
      if (nl === len) break;
      x = this.child(x, PrefixTrie.bit(k, 0, nl));
    }
    return out;
  }

  /** Longest-prefix match of key/len (len = maxLen for an address): the node, or -1. */
  longest(k: Uint32Array, len: number): number {
    const c = this.covering(k, len);
    return c.length === 0 ? -1 : c[c.length - 1];
  }

  /** Calls `fn` for every node with a value inside key/len (itself included), in key order. */
  covered(k: Uint32Array, len: number, fn: (node: number) => void): void {
    let x = this.root;
    while (x !== NONE) {
      const nl = this.n[x * this.S + this.LEN];
      const m = nl < len ? nl : len;
      if (this.common(k, x, m) < m) return;
      if (nl >= len) break;
      x = this.child(x, PrefixTrie.bit(k, 0, nl));
    }
    if (x === NONE) return;
    const stack = [x];
    while (stack.length > 0) {
      const y = stack.pop()!;
      if (this.value(y) !== NONE) fn(y);
      if (this.child(y, 1) !== NONE) stack.push(this.child(y, 1));
      if (this.child(y, 0) !== NONE) stack.push(this.child(y, 0));
    }
  }

  /** Drops node x's value and prunes glue nodes left with fewer than two children. */
  remove(x: number): void {
    const b = x * this.S;
    if (this.n[b + this.VAL] !== NONE) {
      this.entries--;
      this.index.remove(this.nodeHash(x), x);
    }
    this.n[b + this.VAL] = NONE;
    while (x !== NONE && this.value(x) === NONE) {
      const l = this.child(x, 0);
      const r = this.child(x, 1);
      if (l !== NONE && r !== NONE) return;
      const p = this.n[x * this.S + this.PARENT];
      const c = l !== NONE ? l : r;
      if (c !== NONE) {
        this.replace(x, c);
        this.release(x);
        return;
      }
      if (p === NONE) this.root = NONE;
      else if (this.child(p, 0) === x) this.n[p * this.S + this.LEFT] = NONE;
      else this.n[p * this.S + this.RIGHT] = NONE;
      this.release(x);
      x = p;
    }
  }

  /** Node x's length; its key words are copied into `out`. */
  keyOf(x: number, out: Uint32Array): number {
    for (let w = 0; w < this.words; w++) out[w] = this.n[x * this.S + w];
    return this.n[x * this.S + this.LEN];
  }

  /** Bytes held by the node records and the exact-match index. */
  bytes(): number {
    return this.cap * this.S * 4 + this.index.bytes();
  }
}

/** Writes 4 (IPv4) or 16 (IPv6) bytes as big-endian words into `out`, bits past `len` cleared. */
export function toWords(bytes: Uint8Array, out: Uint32Array, len: number): void {
  for (let w = 0; w < bytes.length >>> 2; w++) {
    const i = w * 4;
    out[w] = (((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) & wordMask(len, w)) >>> 0;
  }
}

/** The inverse of toWords: `words` words as bytes. */
export function fromWords(words: Uint32Array, count: number): Uint8Array {
  const out = new Uint8Array(count * 4);
  for (let w = 0; w < count; w++) {
    const v = words[w];
    out[w * 4] = v >>> 24;
    out[w * 4 + 1] = (v >>> 16) & 0xff;
    out[w * 4 + 2] = (v >>> 8) & 0xff;
    out[w * 4 + 3] = v & 0xff;
  }
  return out;
}
