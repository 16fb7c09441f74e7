// An open-addressing hash index from 32-bit hashes to small non-negative ids, in typed
// arrays (8 bytes a slot, at most half full): what a Map<string, id> does, without a key
// string or a JS entry per id. The caller keeps the keys and checks candidates itself:
//   for (let s = ix.first(h); s !== -1; s = ix.next(s, h)) if (same(ix.id(s))) ...
// Linear probing; removal shifts the following entries back (no tombstones), so lookups
// never slow down after churn.

export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export class HashIndex {
  private ids: Int32Array;
  private hashes: Uint32Array;
  private mask: number;
  count = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.ids = new Int32Array(cap).fill(-1);
    this.hashes = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** The first slot holding hash `h`, or -1. */
  first(h: number): number {
    return this.scan(h & this.mask, h);
  }

  /** The next slot after `s` holding hash `h`, or -1. */
  next(s: number, h: number): number {
    return this.scan((s + 1) & this.mask, h);
  }

  private scan(i: number, h: number): number {
    const ids = this.ids;
    const hashes = this.hashes;
    while (ids[i] !== -1) {
      if (hashes[i] === h) return i;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  id(slot: number): number {
    return this.ids[slot];
  }

  add(h: number, id: number): void {
    if ((this.count + 1) * 2 > this.ids.length) this.resize(this.ids.length * 2);
    let i = h & this.mask;
    while (this.ids[i] !== -1) i = (i + 1) & this.mask;
    this.ids[i] = id;
    this.hashes[i] = h;
    this.count++;
  }

  /** Removes `id` (stored under hash `h`); false when it is not there. */
  remove(h: number, id: number): boolean {
    const ids = this.ids;
    const hashes = this.hashes;
    const mask = this.mask;
    let i = h & mask;
    while (ids[i] !== id) {
      if (ids[i] === -1) return false;
      i = (i + 1) & mask;
    }
    // Backward shift: move each following entry into the hole if its home slot allows.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (ids[j] === -1) break;
      const home = hashes[j] & mask;
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (between) continue;
      ids[i] = ids[j];
      hashes[i] = hashes[j];
      i = j;
    }
    ids[i] = -1;
    this.count--;
    return true;
  }

  private resize(cap: number): void {
    const oldIds = this.ids;
    const oldHashes = this.hashes;
    this.ids = new Int32Array(cap).fill(-1);
    this.hashes = new Uint32Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let s = 0; s < oldIds.length; s++) if (oldIds[s] !== -1) this.add(oldHashes[s], oldIds[s]);
  }

  bytes(): number {
    return this.ids.length * 8;
  }
}
