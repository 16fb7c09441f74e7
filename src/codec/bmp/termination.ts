// Termination: RFC 7854 section 4.5. The common header, then TLVs:
//   0 string, 1 reason (2 bytes): 0 administratively closed, 1 unspecified, 2 out of
//   resources, 3 redundant connection, 4 permanently administratively closed.
import type { Cursor, Writer } from '../cursor.ts';
import { decodeTlvs, encodeTlvs } from './tlv.ts';
import { TERM_REASON, type Termination } from './types.ts';

const REASONS = ['administratively closed', 'unspecified', 'out of resources', 'redundant connection', 'permanently administratively closed'];

export function decodeTermination(cur: Cursor): Termination {
  return { kind: 'termination', tlvs: decodeTlvs(cur, 'Termination') };
}

export function encodeTermination(m: Termination, w: Writer): void {
  encodeTlvs(m.tlvs, w);
}

/** The reason code of a Termination, if it carries a well-formed reason TLV. */
export function terminationReason(m: Termination): number | undefined {
  for (const t of m.tlvs) if (t.type === TERM_REASON && t.value.length === 2) return (t.value[0] << 8) | t.value[1];
  return undefined;
}

export function terminationReasonText(code: number | undefined): string {
  if (code === undefined) return 'no reason given';
  return REASONS[code] ?? `reason ${code}`;
}
