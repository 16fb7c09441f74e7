// Capabilities optional parameter (type 2): RFC 5492 section 4.
//   repeated { code (1), length (1), value (length) }
// Interpreted codes:
//   1  Multiprotocol, RFC 4760 8:      AFI (2) | reserved (1) | SAFI (1)
//   2  Route Refresh, RFC 2918 2:      empty
//   6  Extended Message, RFC 8654 3:   empty
//   65 4-octet AS, RFC 6793 3:         AS (4)
//   69 ADD-PATH, RFC 7911 4:           repeated { AFI (2), SAFI (1), send/receive (1) }
// Others are kept raw. A known code with a wrong length is an OPEN error (RFC 5492 says
// the speaker may NOTIFY), so it throws with its own code.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { Capability } from './types.ts';

export const CAP_MULTIPROTOCOL = 1;
export const CAP_ROUTE_REFRESH = 2;
export const CAP_EXTENDED_MESSAGE = 6;
export const CAP_AS4 = 65;
export const CAP_ADD_PATH = 69;

function expect(len: number, want: number, code: string, name: string, at: number): void {
  if (len !== want) throw new DecodeError('bgp', code, at, `${name} capability length ${len}, expected ${want}`);
}

export function decodeCapability(cur: Cursor): Capability {
  const at = cur.pos;
  if (cur.end - at < 2) throw new DecodeError('bgp', 'cap-header-truncated', at, `capability header needs 2 bytes, ${cur.end - at} left`);
  const code = cur.u8('capability code');
  const len = cur.u8('capability length');
  if (len > cur.end - cur.pos) throw new DecodeError('bgp', 'cap-overrun', at, `capability ${code} length ${len} overruns its parameter`);
  const v = cur.sub(len, 'capability value');
  switch (code) {
    case CAP_MULTIPROTOCOL: {
      expect(len, 4, 'cap-multiprotocol-length', 'Multiprotocol', at);
      const afi = v.u16('AFI');
      v.u8('reserved');
      return { code, value: { kind: 'multiprotocol', afi, safi: v.u8('SAFI') } };
    }
    case CAP_ROUTE_REFRESH:
      expect(len, 0, 'cap-route-refresh-length', 'Route Refresh', at);
      return { code, value: { kind: 'route-refresh' } };
    case CAP_EXTENDED_MESSAGE:
      expect(len, 0, 'cap-extended-message-length', 'Extended Message', at);
      return { code, value: { kind: 'extended-message' } };
    case CAP_AS4:
      expect(len, 4, 'cap-as4-length', '4-octet AS', at);
      return { code, value: { kind: 'as4', asn: v.u32('AS') } };
    case CAP_ADD_PATH: {
      if (len === 0 || len % 4 !== 0) throw new DecodeError('bgp', 'cap-add-path-length', at, `ADD-PATH capability length ${len} is not a non-zero multiple of 4`);
      const entries: { afi: number; safi: number; sendReceive: number }[] = [];
      while (!v.atEnd) entries.push({ afi: v.u16('AFI'), safi: v.u8('SAFI'), sendReceive: v.u8('send/receive') });
      return { code, value: { kind: 'add-path', entries } };
    }
    default:
      return { code, value: { kind: 'unknown', raw: v.rest() } };
  }
}

/** All capabilities in one parameter's value. */
export function decodeCapabilities(cur: Cursor, out: Capability[]): void {
  while (!cur.atEnd) out.push(decodeCapability(cur));
}

export function encodeCapability(c: Capability, w: Writer): void {
  w.u8(c.code);
  const start = w.length + 1;
  const done = w.lengthPrefix(1);
  const v = c.value;
  switch (v.kind) {
    case 'multiprotocol': w.u16(v.afi).u8(0).u8(v.safi); break;
    case 'route-refresh': break;
    case 'extended-message': break;
    case 'as4': w.u32(v.asn); break;
    case 'add-path': for (const e of v.entries) w.u16(e.afi).u8(e.safi).u8(e.sendReceive); break;
    case 'unknown': w.bytes(v.raw); break;
  }
  if (w.length - start > 255) throw new RangeError(`capability ${c.code} value of ${w.length - start} bytes exceeds 255`);
  done();
}
