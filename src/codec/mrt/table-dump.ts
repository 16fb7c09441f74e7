// TABLE_DUMP (MRT type 12), RFC 6396 §4.2. Subtype = AFI of the prefix and peer address
// (1 IPv4, 2 IPv6). Subtypes 3 and 4 are the same with a 4-byte peer AS and 4-byte
// AS_PATH, written by some old tools and understood by bgpdump; we read them too.
//
//   View Number (2) | Sequence Number (2) | Prefix (4|16) | Prefix Length (1) | Status (1)
//   Originated Time (4) | Peer IP Address (4|16) | Peer AS (2|4) | Attribute Length (2)
//   BGP Attribute... (Attribute Length bytes)
import { type Address, address } from '../../model/address.ts';
import { prefix } from '../../model/prefix.ts';
import type { Cursor, Writer } from '../cursor.ts';
import type { MrtHeader } from './framing.ts';
import type { TableDumpRecord } from './types.ts';

export function decodeTableDump(cur: Cursor, header: MrtHeader, offset: number): TableDumpRecord {
  const st = header.subtype;
  if (st < 1 || st > 4) cur.fail('table-dump-subtype', `TABLE_DUMP subtype ${st} is not an AFI (1-4)`);
  const v6 = st === 2 || st === 4;
  const as4 = st === 3 || st === 4;
  const view = cur.u16('table dump view');
  const sequence = cur.u16('table dump sequence');
  const prefixBytes = cur.bytes(v6 ? 16 : 4, 'table dump prefix');
  const lenAt = cur.pos;
  const len = cur.u8('table dump prefix length');
  if (len > (v6 ? 128 : 32)) cur.fail('table-dump-prefix-length', `TABLE_DUMP prefix length ${len} too long`, lenAt);
  const status = cur.u8('table dump status');
  const originated = cur.u32('table dump originated time');
  const peerAddress: Address = address(cur.bytes(v6 ? 16 : 4, 'table dump peer address').slice());
  const peerAs = as4 ? cur.u32('table dump peer AS') : cur.u16('table dump peer AS');
  const attrLen = cur.u16('table dump attribute length');
  const attributes = cur.sub(attrLen, 'table dump attributes').rest();
  return {
    kind: 'table-dump',
    header,
    offset,
    view,
    sequence,
    prefix: prefix(v6 ? 6 : 4, len, prefixBytes),
    status,
    originated,
    peerAddress,
    peerAs,
    as4,
    attributes,
  };
}

/** Writes the body (after the MRT header) of a TABLE_DUMP record. */
export function encodeTableDump(r: Omit<TableDumpRecord, 'header' | 'offset' | 'kind'>, w: Writer): void {
  w.u16(r.view).u16(r.sequence).bytes(r.prefix.bytes).u8(r.prefix.len).u8(r.status).u32(r.originated);
  w.bytes(r.peerAddress.bytes);
  if (r.as4) w.u32(r.peerAs);
  else w.u16(r.peerAs);
  w.u16(r.attributes.length).bytes(r.attributes);
}
