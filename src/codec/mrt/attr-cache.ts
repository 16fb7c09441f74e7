// A cache keyed by attribute bytes. In a RIB dump the same attribute block repeats for
// thousands of prefixes (one peer, one path), so whatever is derived from it (bgpdump
// text, RouteAttributes) is computed once per distinct block. Keys are hashed (FNV-1a)
// and compared byte for byte, so nothing is allocated on a hit.

interface Slot<V> {
  readonly key: Uint8Array;
  readonly value: V;
  next: Slot<V> | undefined;
}

export class ByteKeyCache<V> {
  private map = new Map<number, Slot<V>>();
  private size = 0;

  constructor(private readonly limit = 200_000) {}

  get(b: Uint8Array): V | undefined {
    let s = this.map.get(hashBytes(b));
    while (s !== undefined) {
      if (bytesEqual(s.key, b)) return s.value;
      s = s.next;
    }
    return undefined;
  }

  /** Stores a copy of `b` (the caller's bytes are a view into a chunk that will be reused). */
  set(b: Uint8Array, value: V): void {
    if (this.size >= this.limit) {
      // Bounded memory: a dump with more distinct blocks than this simply starts over.
      this.map.clear();
      this.size = 0;
    }
    const h = hashBytes(b);
    this.map.set(h, { key: b.slice(), value, next: this.map.get(h) });
    this.size++;
  }
}

export function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5 ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
