// A path-compressed binary (Patricia) trie over prefixes of one family, for exact match,
// longest-prefix match and subtree walks. Nodes live in typed arrays (struct of arrays),
// not JS objects: at a million prefixes a node costs ~21 bytes (IPv4) instead of ~100, and
// the GC never traces them. A node either carries a value (a prefix that is in the table)
// or is a glue node where two branches part; glue nodes always have two children, so there
// are fewer than 2 nodes per prefix.
//
// Keys are 32-bit big-endian words: 1 word for IPv4, 4 for IPv6. Node keys are stored
// masked to the node's length. Node ids are reused through a free list and never move, so
// the caller may keep them (the RIB stores a node id in each route chunk's header).

/** "No value" in `val`, and the largest value is NONE - 1. */
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
  /** The value of each node (NONE for glue and free nodes). Read and written by the RIB directly. */
  val: Uint32Array;
  private keys: Uint32Array;
  private lens: Uint8Array;
  private left: Int32Array;
  private right: Int32Array;
  private parent: Int32Array;
  private cap: number;
  /** High-water mark of node ids: every node id in use is below it. */
  used = 0;
  private freeHead = -1;
  private root = -1;
  /** Nodes carrying a value. */
  entries = 0;
  /** Nodes in use (values and glue). */
  nodes = 0;

  constructor(family: 4 | 6, initialCapacity = 1024) {
    this.words = family === 4 ? 1 : 4;
    this.maxLen = this.words * 32;
    this.cap = initialCapacity;
    this.val = new Uint32Array(this.cap).fill(NONE);
    this.keys = new Uint32Array(this.cap * this.words);
    this.lens = new Uint8Array(this.cap);
    this.left = new Int32Array(this.cap);
    this.right = new Int32Array(this.cap);
    this.parent = new Int32Array(this.cap);
  }

  /** Bit `i` (0 = most significant) of a key in `k`. */
  private static bit(k: Uint32Array, off: number, i: number): number {
    return (k[off + (i >>> 5)] >>> (31 - (i & 31))) & 1;
  }

  /** Length of the common prefix of `k` and node `n`'s key, capped at `max`. */
  private common(k: Uint32Array, n: number, max: number): number {
    const W = this.words;
    const base = n * W;
    for (let w = 0; w < W; w++) {
      if (w * 32 >= max) return max;
      const x = (k[w] ^ this.keys[base + w]) >>> 0;
      if (x !== 0) return Math.min(w * 32 + Math.clz32(x), max);
    }
    return max;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const val = new Uint32Array(cap).fill(NONE);
    val.set(this.val);
    this.val = val;
    const keys = new Uint32Array(cap * this.words);
    keys.set(this.keys);
    this.keys = keys;
    const lens = new Uint8Array(cap);
    lens.set(this.lens);
    this.lens = lens;
    for (const f of ['left', 'right', 'parent'] as const) {
      const a = new Int32Array(cap);
      a.set(this[f]);
      this[f] = a;
    }
    this.cap = cap;
  }

  private alloc(k: Uint32Array, len: number): number {
    let n = this.freeHead;
    if (n !== -1) this.freeHead = this.left[n];
    else {
      if (this.used === this.cap) this.grow();
      n = this.used++;
    }
    const W = this.words;
    for (let w = 0; w < W; w++) this.keys[n * W + w] = (k[w] & wordMask(len, w)) >>> 0;
    this.lens[n] = len;
    this.left[n] = -1;
    this.right[n] = -1;
    this.parent[n] = -1;
    this.val[n] = NONE;
    this.nodes++;
    return n;
  }

  private release(n: number): void {
    this.val[n] = NONE;
    this.left[n] = this.freeHead;
    this.right[n] = -1;
    this.freeHead = n;
    this.nodes--;
  }

  private setChild(p: number, b: number, c: number): void {
    if (b) this.right[p] = c;
    else this.left[p] = c;
    this.parent[c] = p;
  }

  /** Puts `nw` where `old` hangs (under old's parent, or as root). */
  private replace(old: number, nw: number): void {
    const p = this.parent[old];
    this.parent[nw] = p;
    if (p === -1) this.root = nw;
    else if (this.left[p] === old) this.left[p] = nw;
    else this.right[p] = nw;
  }

  /**
   * The node for key/len, created if absent. A created node has val NONE and the caller
   * must give it a value (or call remove) before the next insert or remove.
   */
  insert(k: Uint32Array, len: number): number {
    if (this.root === -1) {
      const x = this.alloc(k, len);
      this.root = x;
      return x;
    }
    let n = this.root;
    for (;;) {
      const nl = this.lens[n];
      const cl = this.common(k, n, Math.min(nl, len));
      if (cl === nl) {
        if (nl === len) return n;
        const b = PrefixTrie.bit(k, 0, nl);
        const c = b ? this.right[n] : this.left[n];
        if (c === -1) {
          const x = this.alloc(k, len);
          this.setChild(n, b, x);
          return x;
        }
        n = c;
        continue;
      }
      const nb = PrefixTrie.bit(this.keys, n * this.words, cl);
      if (cl === len) {
        // The new prefix covers node n: it goes between n and n's parent.
        const x = this.alloc(k, len);
        this.replace(n, x);
        this.setChild(x, nb, n);
        return x;
      }
      // They part at bit cl: a glue node there, n on one side, the new node on the other.
      const g = this.alloc(k, cl);
      this.replace(n, g);
      this.setChild(g, nb, n);
      const x = this.alloc(k, len);
      this.setChild(g, nb ^ 1, x);
      return x;
    }
  }

  /** The node holding exactly key/len, or -1. */
  exact(k: Uint32Array, len: number): number {
    let n = this.root;
    while (n !== -1 && this.lens[n] < len) n = PrefixTrie.bit(k, 0, this.lens[n]) ? this.right[n] : this.left[n];
    if (n === -1 || this.lens[n] !== len || this.val[n] === NONE) return -1;
    return this.common(k, n, len) === len ? n : -1;
  }

  /** Nodes with a value covering key/len (their length <= len), shortest first. */
  covering(k: Uint32Array, len: number): number[] {
    const out: number[] = [];
    let n = this.root;
    while (n !== -1) {
      const nl = this.lens[n];
      if (nl > len || this.common(k, n, nl) < nl) break;
      if (this.val[n] !== NONE) out.push(n);
      if (nl === len) break;
      n = PrefixTrie.bit(k, 0, nl) ? this.right[n] : this.left[n];
    }
    return out;
  }

  /** Longest-prefix match of key/len (len = maxLen for an address): the node, or -1. */
  longest(k: Uint32Array, len: number): number {
    let best = -1;
    let n = this.root;
    while (n !== -1) {
      const nl = this.lens[n];
      if (nl > len || this.common(k, n, nl) < nl) break;
      if (this.val[n] !== NONE) best = n;
      if (nl === len) break;
      n = PrefixTrie.bit(k, 0, nl) ? this.right[n] : this.left[n];
    }
    return best;
  }

  /** Calls `fn` for every node with a value inside key/len (itself included), in key order. */
  covered(k: Uint32Array, len: number, fn: (node: number) => void): void {
    let n = this.root;
    while (n !== -1) {
      const nl = this.lens[n];
      const m = Math.min(nl, len);
      if (this.common(k, n, m) < m) return;
      if (nl >= len) break;
      n = PrefixTrie.bit(k, 0, nl) ? this.right[n] : this.left[n];
    }
    if (n === -1) return;
    const stack = [n];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (this.val[x] !== NONE) fn(x);
      if (this.right[x] !== -1) stack.push(this.right[x]);
      if (this.left[x] !== -1) stack.push(this.left[x]);
    }
  }

  /** Drops node n's value and prunes glue nodes left with fewer than two children. */
  remove(n: number): void {
    if (this.val[n] !== NONE) this.entries--;
    this.val[n] = NONE;
    while (n !== -1 && this.val[n] === NONE) {
      const l = this.left[n];
      const r = this.right[n];
      if (l !== -1 && r !== -1) return;
      const p = this.parent[n];
      const c = l !== -1 ? l : r;
      if (c !== -1) {
        this.replace(n, c);
        this.release(n);
        return;
      }
      if (p === -1) this.root = -1;
      else if (this.left[p] === n) this.left[p] = -1;
      else this.right[p] = -1;
      this.release(n);
      n = p;
    }
  }

  /** Marks a node returned by insert as holding a value (keeps `entries` right). */
  setValue(n: number, v: number): void {
    if (this.val[n] === NONE) this.entries++;
    this.val[n] = v;
  }

  /** Node n's length and key words (copied into `out`). */
  keyOf(n: number, out: Uint32Array): number {
    for (let w = 0; w < this.words; w++) out[w] = this.keys[n * this.words + w];
    return this.lens[n];
  }

  /** Approximate bytes held by the node arrays. */
  bytes(): number {
    return this.cap * (4 + 4 * this.words + 1 + 12);
  }
}

/** Writes 4 (IPv4) or 16 (IPv6) address/prefix bytes as big-endian words into `out`. */
export function toWords(bytes: Uint8Array, out: Uint32Array): void {
  for (let w = 0; w < bytes.length >>> 2; w++) {
    const i = w * 4;
    out[w] = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
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
