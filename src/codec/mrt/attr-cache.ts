// A cache keyed by attribute bytes. In a RIB dump the same attribute block repeats for
// thousands of prefixes (one peer, one path), so whatever is derived from it (bgpdump
// text, RouteAttributes) is computed once per distinct block.
//
// Open addressing over typed arrays: the keys are copied into one byte arena and the
// table, hashes and key offsets are Int32Arrays, so a lookup allocates nothing and the
// cache holds no per-key objects for the garbage collector to trace. Keys are compared
// byte for byte on a hash match. Bounded: past `limit` keys it simply starts over.

const EMPTY_ARENA = new Uint8Array(0);

export class ByteKeyCache<V> {
  /**
   * Open addressing, linear probing: slot i is slots[2i] = hash, slots[2i + 1] = entry
   * index + 1 (0 = empty), so a probe touches one cache line. At most half full.
   */
  private slots = new Int32Array(2 * 1024);
  /** Per entry: meta[2k] = key offset in the arena, meta[2k + 1] = key length. */
  private meta = new Int32Array(2 * 512);
  private values: V[] = [];
  private arena: Uint8Array = EMPTY_ARENA;
  private used = 0;
  private count = 0;

  constructor(private readonly limit = 500_000) {}

  get size(): number {
    return this.count;
  }

  get(b: Uint8Array): V | undefined {
    return this.getRange(b, 0, b.length);
  }

  /** The value for the key `buf[start..end)`, without making a view of it. */
  getRange(buf: Uint8Array, start: number, end: number): V | undefined {
    const h = hashRange(buf, start, end);
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    const len = end - start;
    let i = h & mask;
    for (;;) {
      const e = slots[2 * i + 1];
      if (e === 0) return undefined;
      if (slots[2 * i] === h) {
        const k = 2 * (e - 1);
        if (this.meta[k + 1] === len && this.keyEquals(this.meta[k], buf, start, len)) return this.values[e - 1];
      }
      i = (i + 1) & mask;
    }
  }

  /** Stores a copy of `b` (the caller's bytes are a view into a chunk that will be reused). */
  set(b: Uint8Array, value: V): void {
    this.setRange(b, 0, b.length, value);
  }

  /** As set, for the key `buf[start..end)`. The key must not be present already. */
  setRange(buf: Uint8Array, start: number, end: number, value: V): void {
    if (this.count >= this.limit) this.clear();
    if ((this.count + 1) * 4 > this.slots.length) this.growSlots();
    if (2 * this.count === this.meta.length) {
      const m = new Int32Array(this.meta.length * 2);
      m.set(this.meta);
      this.meta = m;
    }
    const len = end - start;
    if (this.used + len > this.arena.length) {
      const next = new Uint8Array(Math.max(64 * 1024, this.arena.length * 2, this.used + len));
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
    }
    this.arena.set(buf.subarray(start, end), this.used);
    const idx = this.count++;
    this.meta[2 * idx] = this.used;
    this.meta[2 * idx + 1] = len;
    this.values[idx] = value;
    this.used += len;
    this.insertSlot(hashRange(buf, start, end), idx);
  }

  private keyEquals(off: number, buf: Uint8Array, start: number, len: number): boolean {
    const a = this.arena;
    for (let j = 0; j < len; j++) if (a[off + j] !== buf[start + j]) return false;
    return true;
  }

  private insertSlot(h: number, idx: number): void {
    const slots = this.slots;
    const mask = (slots.length >>> 1) - 1;
    let i = h & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = h;
    slots[2 * i + 1] = idx + 1;
  }

  private growSlots(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) this.insertSlot(old[i - 1], old[i] - 1);
  }

  private clear(): void {
    this.slots = new Int32Array(2 * 1024);
    this.meta = new Int32Array(2 * 512);
    this.values = [];
    this.arena = EMPTY_ARENA;
    this.used = 0;
    this.count = 0;
  }
}

/**
 * Values as bytes, for caches of text: views into 1 MiB chunks that are never moved, so a
 * cached value costs one small view object and no buffer of its own.
 */
export class ByteArena {
  private chunk: Uint8Array = EMPTY_ARENA;
  private used = 0;

  /** A copy of `src[start..end)` in the arena. */
  copy(src: Uint8Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint8Array(Math.max(1 << 20, n));
      this.used = 0;
    }
    const v = this.chunk.subarray(this.used, this.used + n);
    v.set(new Uint8Array(src.buffer, src.byteOffset + start, n));
    this.used += n;
    return v;
  }
}

/** 32-bit hash of `b[start..end)`: four bytes per multiply, then a murmur3 finaliser. */
export function hashRange(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (const last = end - 3; i < last; i += 4) {
    h = Math.imul(h ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)), 0x01000193);
    h ^= h >>> 15;
  }
  for (; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function hashBytes(b: Uint8Array): number {
  return hashRange(b, 0, b.length) >>> 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
