// LOCAL_PREF, type 5, well-known (iBGP): RFC 4271 section 4.3 (e), 5.1.5.
//   value: preference (4)
// Malformed (length != 4): treat-as-withdraw, RFC 7606 section 7.5. (From an eBGP peer
// it is discarded instead; the codec does not know the session type, the RIB does.)
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { expectLength } from './common.ts';

export function decodeLocalPref(cur: Cursor, flags: number): AttrOf<'local-pref'> {
  expectLength(cur, 4, 'local-pref-length', 'LOCAL_PREF');
  return { kind: 'local-pref', flags, value: cur.u32('LOCAL_PREF') };
}

export function encodeLocalPref(a: AttrOf<'local-pref'>, w: Writer): void {
  w.u32(a.value);
}
