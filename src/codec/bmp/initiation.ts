// Initiation: RFC 7854 section 4.3. The common header, then information TLVs:
//   0 string (free-form), 1 sysDescr, 2 sysName; RFC 7854 says sysDescr and sysName MUST
//   be sent, but we accept their absence (the NetGauze and pmacct captures show routers
//   that send only some) and leave the judging to the collector.
import type { Cursor, Writer } from '../cursor.ts';
import { decodeTlvs, encodeTlvs } from './tlv.ts';
import type { Initiation } from './types.ts';

export function decodeInitiation(cur: Cursor): Initiation {
  return { kind: 'initiation', tlvs: decodeTlvs(cur, 'Initiation') };
}

export function encodeInitiation(m: Initiation, w: Writer): void {
  encodeTlvs(m.tlvs, w);
}
