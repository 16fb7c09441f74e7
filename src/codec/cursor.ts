// The one bounded reader. Every decoder reads bytes only through a Cursor; every
// length-prefixed element is read through `sub(len)`, which checks the length against
// what is left before anything inside it is read. A read past `end` throws a DecodeError
// naming the field; nothing ever relies on a caught RangeError.
import { DecodeError, type Layer } from './errors.ts';

export class Cursor {
  /** Absolute position in `buf`. */
  pos: number;
  readonly end: number;
  readonly buf: Uint8Array;
  readonly layer: Layer;

  constructor(buf: Uint8Array, start = 0, end = buf.length, layer: Layer = 'cursor') {
    if (start < 0 || end > buf.length || start > end) {
      throw new DecodeError(layer, 'cursor-range', start, `cursor range ${start}..${end} outside buffer of ${buf.length}`);
    }
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.layer = layer;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Throws unless `n` more bytes are available. `field` names what was being read. */
  need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      throw new DecodeError(
        this.layer,
        'truncated',
        this.pos,
        `${field}: need ${n} byte(s), ${this.end - this.pos} left`,
      );
    }
  }

  u8(field: string): number {
    if (this.pos >= this.end) this.need(1, field);
    return this.buf[this.pos++];
  }

  u16(field: string): number {
    if (this.pos + 2 > this.end) this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(field: string): number {
    if (this.pos + 4 > this.end) this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }

  /** 64-bit unsigned as bigint (rare fields only: counters in BMP stats). */
  u64(field: string): bigint {
    const hi = this.u32(field);
    const lo = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A view (no copy) of the next `n` bytes. */
  bytes(n: number, field: string): Uint8Array {
    if (n < 0 || this.pos + n > this.end) this.need(n, field);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The rest of this cursor's range, as a view. */
  rest(): Uint8Array {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  skip(n: number, field: string): void {
    if (n < 0 || this.pos + n > this.end) this.need(n, field);
    this.pos += n;
  }

  /** A cursor over the next `len` bytes; this cursor moves past them. */
  sub(len: number, field: string, layer: Layer = this.layer): Cursor {
    if (len < 0 || this.pos + len > this.end) {
      throw new DecodeError(
        layer,
        'bad-length',
        this.pos,
        `${field}: declares ${len} byte(s), ${this.end - this.pos} left`,
      );
    }
    const c = new Cursor(this.buf, this.pos, this.pos + len, layer);
    this.pos += len;
    return c;
  }

  fail(code: string, message: string, offset = this.pos): never {
    throw new DecodeError(this.layer, code, offset, message);
  }
}

/** A growable byte writer for encoders. */
export class Writer {
  private buf: Uint8Array;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.grow(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.grow(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Reserves a length field of `width` bytes; call the returned function after writing the body. */
  lengthPrefix(width: 1 | 2 | 4): () => void {
    const at = this.length;
    if (width === 1) this.u8(0);
    else if (width === 2) this.u16(0);
    else this.u32(0);
    return () => {
      const len = this.length - at - width;
      for (let i = 0; i < width; i++) this.buf[at + i] = (len >>> (8 * (width - 1 - i))) & 0xff;
    };
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
