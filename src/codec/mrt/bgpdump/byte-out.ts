// Writing text as latin1 bytes into an output buffer: the primitives the byte-level fast
// paths (rib-fast.ts, update-fast.ts, attr-tail.ts) build their lines from. Each writer
// takes the buffer and a position and returns the position after what it wrote, so that
// hot loops keep the position in a local and allocate nothing; room is the caller's job.

/**
 * Where the fast paths write: bytes `buf[0..pos)` are the output so far. ensure(n) makes
 * room for n more and keeps the bytes at their offsets; latin1(s) appends text, one byte
 * per UTF-16 unit (its low 8 bits). The caller supplies it (a Buffer writes text natively;
 * copying bytes with TypedArray.set/copyWithin beats JS byte loops several times on Node 20).
 */
export interface ByteOut {
  buf: Uint8Array;
  pos: number;
  ensure(n: number): void;
  latin1(s: string): void;
}

export const NEWLINE: Uint8Array = new Uint8Array([0x0a]);

export function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** The big-endian uint32 at `p`. */
export function u32At(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Decimal digits of a uint32 at `at`; returns the position after them. */
export function writeUint(v: number, dst: Uint8Array, at: number): number {
  if (v < 10) {
    dst[at] = 48 + v;
    return at + 1;
  }
  let digits = 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
  let p = at + digits;
  for (let t = v; p > at; t = Math.floor(t / 10)) dst[--p] = 48 + (t % 10);
  return at + digits;
}

/** Signed decimal of a 32-bit value (C's %d). */
export function writeInt32(v: number, o: Uint8Array, w: number): number {
  const s = v | 0;
  if (s >= 0) return writeUint(s, o, w);
  o[w++] = 0x2d;
  return writeUint(-s, o, w);
}

/** Decimal text of 0..255, without writeUint's division loop. */
export function writeOctet(v: number, o: Uint8Array, w: number): number {
  if (v >= 100) {
    const h = (v / 100) | 0;
    const r = v - h * 100;
    const t = (r / 10) | 0;
    o[w] = 48 + h;
    o[w + 1] = 48 + t;
    o[w + 2] = 48 + r - t * 10;
    return w + 3;
  }
  if (v >= 10) {
    const t = (v / 10) | 0;
    o[w] = 48 + t;
    o[w + 1] = 48 + v - t * 10;
    return w + 2;
  }
  o[w] = 48 + v;
  return w + 1;
}

/** An ASCII string, one byte per character. */
export function writeAscii(s: string, o: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) o[at + i] = s.charCodeAt(i);
  return at + s.length;
}
