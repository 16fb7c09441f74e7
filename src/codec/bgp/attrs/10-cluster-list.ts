// CLUSTER_LIST, type 10, optional non-transitive: RFC 4456 section 8.
//   value: repeated CLUSTER_ID (4)
// Malformed (length not a non-zero multiple of 4): treat-as-withdraw, RFC 7606 7.10.
import type { Cursor, Writer } from '../../cursor.ts';
import type { Address } from '../../../model/address.ts';
import type { AttrOf } from '../types.ts';
import { expectMultiple, readIPv4 } from './common.ts';

export function decodeClusterList(cur: Cursor, flags: number): AttrOf<'cluster-list'> {
  expectMultiple(cur, 4, 'cluster-list-length', 'CLUSTER_LIST');
  const ids: Address[] = [];
  while (cur.pos < cur.end) ids.push(readIPv4(cur, 'cluster id'));
  return { kind: 'cluster-list', flags, ids };
}

export function encodeClusterList(a: AttrOf<'cluster-list'>, w: Writer): void {
  for (const id of a.ids) w.bytes(id.bytes);
}
