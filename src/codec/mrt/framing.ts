// MRT record framing (RFC 6396 §2, §3). Every record starts with a 12-byte common header:
//
//   0                   1                   2                   3
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           Timestamp                           |
//   |             Type              |            Subtype            |
//   |                             Length                            |
//   |                      Message... (Length bytes)                |
//
// Extended-timestamp types (BGP4MP_ET = 17, ISIS_ET, OSPFv3_ET) carry a 4-byte
// microsecond field right after the header; RFC 6396 §3 counts it in Length.
//
// Where one record ends is decided here and only here, from the header alone, exactly as
// bgpdump does: Length bytes after the header, no resynchronisation. A record whose body
// is damaged is still a record boundary; reading goes on at the next declared header.
import { Cursor } from '../cursor.ts';
import { DecodeError } from '../errors.ts';

export const MRT_HEADER_LEN = 12;

const EMPTY = new Uint8Array(0);

export const MRT_TYPE = {
  NULL: 0,
  START: 1,
  DIE: 2,
  I_AM_DEAD: 3,
  PEER_DOWN: 4,
  /** Deprecated "BGP" type (MRTd), still found in RIS files from 1999-2001. */
  BGP: 5,
  RIP: 6,
  IDRP: 7,
  RIPNG: 8,
  BGP4PLUS: 9,
  BGP4PLUS_01: 10,
  OSPFV2: 11,
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
  ISIS: 32,
  ISIS_ET: 33,
  OSPFV3: 48,
  OSPFV3_ET: 49,
} as const;

/** Types whose header is followed by a 4-byte microsecond timestamp (counted in Length). */
export function hasExtendedTimestamp(type: number): boolean {
  return type === MRT_TYPE.BGP4MP_ET || type === MRT_TYPE.ISIS_ET || type === MRT_TYPE.OSPFV3_ET;
}

/**
 * Records larger than this are not buffered: their bytes are skipped and the record is
 * reported as too long. No real MRT record comes near it (the largest RIB records are
 * tens of KiB); a damaged header declaring gigabytes must not make us allocate them.
 */
export const MAX_RECORD_LEN = 64 * 1024 * 1024;

export interface MrtHeader {
  /** Seconds since the epoch. */
  readonly timestamp: number;
  readonly type: number;
  readonly subtype: number;
  /** Length as declared on the wire (including the µs field for _ET types). */
  readonly length: number;
  /** Microseconds for _ET types, else 0. */
  readonly microseconds: number;
}

/** Decodes the 12-byte common header (not the µs field, which is part of the body). */
export function decodeMrtHeader(cur: Cursor): Omit<MrtHeader, 'microseconds'> {
  const timestamp = cur.u32('mrt header timestamp');
  const type = cur.u16('mrt header type');
  const subtype = cur.u16('mrt header subtype');
  const length = cur.u32('mrt header length');
  return { timestamp, type, subtype, length };
}

export function encodeMrtHeader(
  h: { timestamp: number; type: number; subtype: number; length: number },
  w: { u32(v: number): unknown; u16(v: number): unknown },
): void {
  w.u32(h.timestamp);
  w.u16(h.type);
  w.u16(h.subtype);
  w.u32(h.length);
}

/** One framed record: its header and a view of its body (after the µs field, if any). */
export interface RawMrtRecord {
  readonly header: MrtHeader;
  readonly body: Uint8Array;
  /** Byte offset of the header in the (decompressed) stream. */
  readonly offset: number;
}

export type FramingProblem =
  | { readonly kind: 'truncated-header'; readonly offset: number; readonly have: number }
  | { readonly kind: 'truncated-record'; readonly offset: number; readonly declared: number; readonly have: number }
  | { readonly kind: 'record-too-long'; readonly offset: number; readonly declared: number }
  | { readonly kind: 'bad-et-length'; readonly offset: number; readonly declared: number };

export function framingError(p: FramingProblem): DecodeError {
  switch (p.kind) {
    case 'truncated-header':
      return new DecodeError('mrt', 'truncated-header', p.offset, `stream ends inside an MRT header (${p.have} of 12 bytes)`);
    case 'truncated-record':
      return new DecodeError(
        'mrt',
        'truncated-record',
        p.offset,
        `stream ends inside an MRT record (${p.have} of ${p.declared} declared body bytes)`,
      );
    case 'record-too-long':
      return new DecodeError('mrt', 'record-too-long', p.offset, `record declares ${p.declared} bytes (limit ${MAX_RECORD_LEN}); skipped`);
    case 'bad-et-length':
      return new DecodeError('mrt', 'bad-et-length', p.offset, `_ET record length ${p.declared} is shorter than its 4-byte µs field`);
  }
}

/**
 * Frames MRT records from arbitrary chunks (a file read in pieces, a decompressor's
 * output). Holds at most one partial record plus the current chunk; record bodies are
 * views into the chunk when the record fits in it, or into a copy when it spans chunks.
 */
export class MrtFramer {
  private pending: Uint8Array = EMPTY;
  /** Stream offset of pending[0]. */
  private base = 0;
  /** Bytes still to skip of a too-long record. */
  private skipLeft = 0;
  private problems: FramingProblem[] = [];

  /** Problems found so far (too-long records); end() adds a truncation. Drained by the caller. */
  takeProblems(): FramingProblem[] {
    const p = this.problems;
    this.problems = [];
    return p;
  }

  /** Feeds a chunk; calls `onRecord` for every whole record now available. */
  push(chunk: Uint8Array, onRecord: (r: RawMrtRecord) => void): void {
    if (this.skipLeft > 0) {
      const n = Math.min(this.skipLeft, chunk.length);
      this.skipLeft -= n;
      this.base += n;
      chunk = chunk.subarray(n);
      if (chunk.length === 0) return;
    }
    // A Buffer chunk (fs, zlib, a child's stdout) is viewed as a plain Uint8Array: every
    // body and every view decoders take of it is then made by Uint8Array's own subarray,
    // several times cheaper than Buffer's, and nothing downstream sees Buffer methods.
    let buf = Object.getPrototypeOf(chunk) === Uint8Array.prototype ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.pending.length > 0) {
      // A record began in an earlier chunk: copy just that record together (not the whole
      // chunk, as a plain concatenation would), frame it, then frame the rest in place.
      const have = this.pending.length;
      const joined = have + buf.length;
      let total = -1;
      if (joined >= MRT_HEADER_LEN) {
        const at = (i: number) => (i < have ? this.pending[i] : buf[i - have]);
        const length = ((at(8) << 24) >>> 0) + ((at(9) << 16) | (at(10) << 8) | at(11));
        if (length <= MAX_RECORD_LEN) total = MRT_HEADER_LEN + length;
      }
      if (total < 0 || joined < total) {
        // Header not whole yet, record still incomplete, or too long (the loop below skips it).
        const b = new Uint8Array(joined);
        b.set(this.pending, 0);
        b.set(buf, have);
        this.pending = EMPTY;
        if (total >= 0) {
          this.pending = b;
          return;
        }
        buf = b;
      } else {
        const rec = new Uint8Array(total);
        rec.set(this.pending, 0);
        rec.set(buf.subarray(0, total - have), have);
        this.pending = EMPTY;
        this.frame(rec, onRecord);
        buf = buf.subarray(total - have);
      }
    }
    this.frame(buf, onRecord);
  }

  /** Frames whole records out of `buf`, which starts at stream offset `base`; keeps the tail. */
  private frame(buf: Uint8Array, onRecord: (r: RawMrtRecord) => void): void {
    let pos = 0;
    const n = buf.length;
    while (n - pos >= MRT_HEADER_LEN) {
      const timestamp = ((buf[pos] << 24) >>> 0) + ((buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]);
      const type = (buf[pos + 4] << 8) | buf[pos + 5];
      const subtype = (buf[pos + 6] << 8) | buf[pos + 7];
      const length = ((buf[pos + 8] << 24) >>> 0) + ((buf[pos + 9] << 16) | (buf[pos + 10] << 8) | buf[pos + 11]);
      const offset = this.base + pos;
      if (length > MAX_RECORD_LEN) {
        this.problems.push({ kind: 'record-too-long', offset, declared: length });
        const avail = n - pos - MRT_HEADER_LEN;
        if (avail >= length) {
          pos += MRT_HEADER_LEN + length;
          continue;
        }
        this.skipLeft = length - avail;
        this.base += n + this.skipLeft;
        this.pending = EMPTY;
        return;
      }
      if (n - pos - MRT_HEADER_LEN < length) break;
      const start = pos + MRT_HEADER_LEN;
      pos = start + length;
      if (hasExtendedTimestamp(type)) {
        if (length < 4) {
          this.problems.push({ kind: 'bad-et-length', offset, declared: length });
          continue;
        }
        const microseconds =
          ((buf[start] << 24) >>> 0) + ((buf[start + 1] << 16) | (buf[start + 2] << 8) | buf[start + 3]);
        onRecord({
          header: { timestamp, type, subtype, length, microseconds },
          body: buf.subarray(start + 4, pos),
          offset,
        });
      } else {
        onRecord({ header: { timestamp, type, subtype, length, microseconds: 0 }, body: buf.subarray(start, pos), offset });
      }
    }
    // Keep the unconsumed tail. Copy it: `buf` may be the caller's chunk, reused after we return.
    this.base += pos;
    this.pending = pos === n ? EMPTY : buf.slice(pos);
  }

  /** Ends the stream; a leftover partial header or record becomes a truncation problem. */
  end(): FramingProblem[] {
    const left = this.pending.length;
    if (this.skipLeft > 0) {
      // The too-long record was already reported; the stream ended inside it.
      this.skipLeft = 0;
    } else if (left > 0 && left < MRT_HEADER_LEN) {
      this.problems.push({ kind: 'truncated-header', offset: this.base, have: left });
    } else if (left >= MRT_HEADER_LEN) {
      const c = new Cursor(this.pending, 0, left, 'mrt');
      const h = decodeMrtHeader(c);
      this.problems.push({ kind: 'truncated-record', offset: this.base, declared: h.length, have: left - MRT_HEADER_LEN });
    }
    this.pending = new Uint8Array(0);
    return this.takeProblems();
  }
}

/** Frames a whole in-memory buffer (tests, small files). */
export function frameAll(buf: Uint8Array): { records: RawMrtRecord[]; problems: FramingProblem[] } {
  const f = new MrtFramer();
  const records: RawMrtRecord[] = [];
  f.push(buf, (r) => records.push(r));
  const problems = [...f.takeProblems(), ...f.end()];
  return { records, problems };
}
