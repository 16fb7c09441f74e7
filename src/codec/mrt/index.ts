// Decodes one framed MRT record into the typed union. Throws DecodeError (layer 'mrt')
// when the body does not fit its type; types and subtypes we do not read come back as
// { kind: 'unknown' } for the caller to skip and count.
import { Cursor } from '../cursor.ts';
import { decodeBgp4mpMessage, decodeBgp4mpStateChange, decodeLegacyBgp, messageSubtype } from './bgp4mp.ts';
import { MRT_TYPE, type RawMrtRecord } from './framing.ts';
import { decodeTableDump } from './table-dump.ts';
import { decodePeerIndexTable, decodeRib } from './table-dump-v2.ts';
import type { MrtRecord } from './types.ts';

export type { MrtRecord } from './types.ts';

export function decodeMrtRecord(raw: RawMrtRecord): MrtRecord {
  const { header, body, offset } = raw;
  // Offsets in errors are relative to the body; the record offset is carried separately.
  const cur = new Cursor(body, 0, body.length, 'mrt');
  switch (header.type) {
    case MRT_TYPE.TABLE_DUMP:
      if (header.subtype >= 1 && header.subtype <= 4) return decodeTableDump(cur, header, offset);
      break;
    case MRT_TYPE.TABLE_DUMP_V2:
      if (header.subtype === 1) return decodePeerIndexTable(cur, header, offset);
      if ((header.subtype >= 2 && header.subtype <= 6) || (header.subtype >= 8 && header.subtype <= 12)) {
        return decodeRib(cur, header, offset);
      }
      break;
    case MRT_TYPE.BGP4MP:
    case MRT_TYPE.BGP4MP_ET:
      if (header.subtype === 0 || header.subtype === 5) return decodeBgp4mpStateChange(cur, header, offset);
      if (messageSubtype(header.subtype)) return decodeBgp4mpMessage(cur, header, offset);
      break;
    case MRT_TYPE.BGP:
      if (header.subtype === 1 || header.subtype === 3 || header.subtype === 7) return decodeLegacyBgp(cur, header, offset);
      break;
  }
  return { kind: 'unknown', header, offset, body };
}
