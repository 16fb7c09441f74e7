// Information TLVs: RFC 7854 4.4 (Initiation, Peer Up), 4.5 (Termination), 4.7 (Route
// Mirroring), RFC 9069 5.5 (Peer Down reason 6).
//   type (2) | length (2) | value (length)
// They run to the end of the cursor. Values stay bytes (a view); `infoText` reads the
// string TLVs as UTF-8 (RFC 7854 says "free-form UTF-8"), dropping the trailing NULs
// some routers add.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { InfoTlv } from './types.ts';

export function decodeTlvs(cur: Cursor, what: string): InfoTlv[] {
  const out: InfoTlv[] = [];
  while (!cur.atEnd) {
    const at = cur.pos;
    if (cur.end - at < 4) throw new DecodeError('bmp', 'tlv-header-truncated', at, `${what} TLV header needs 4 bytes, ${cur.end - at} left`);
    const type = cur.u16('TLV type');
    const len = cur.u16('TLV length');
    if (len > cur.end - cur.pos) throw new DecodeError('bmp', 'tlv-overrun', at, `${what} TLV type ${type} length ${len}, ${cur.end - cur.pos} byte(s) left`);
    out.push({ type, value: cur.bytes(len, 'TLV value') });
  }
  return out;
}

export function encodeTlvs(tlvs: readonly InfoTlv[], w: Writer): void {
  for (const t of tlvs) {
    if (t.value.length > 0xffff) throw new RangeError(`TLV type ${t.type} value of ${t.value.length} bytes exceeds 65535`);
    w.u16(t.type).u16(t.value.length).bytes(t.value);
  }
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

export function infoText(value: Uint8Array): string {
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end--;
  return utf8.decode(value.subarray(0, end));
}

export function textTlv(type: number, text: string): InfoTlv {
  return { type, value: utf8Encoder.encode(text) };
}

/** The text of the first TLV of `type`, or undefined. */
export function findText(tlvs: readonly InfoTlv[], type: number): string | undefined {
  for (const t of tlvs) if (t.type === type) return infoText(t.value);
  return undefined;
}
