// Helpers shared by the attribute files: exact-length and multiple-of-length checks that
// fail with the attribute's own code (the index turns the failure into an RFC 7606
// warning), and 4-byte address reads as views.
import type { Cursor } from '../../cursor.ts';
import type { Address } from '../../../model/address.ts';

/** The value must be exactly `n` bytes. */
export function expectLength(cur: Cursor, n: number, code: string, what: string): void {
  if (cur.end - cur.pos !== n) cur.fail(code, `${what}: length ${cur.end - cur.pos}, expected ${n}`);
}

/** The value must be a non-zero multiple of `n` bytes (RFC 7606 7.8, 7.10, 7.14; RFC 8092 5). */
export function expectMultiple(cur: Cursor, n: number, code: string, what: string): void {
  const len = cur.end - cur.pos;
  if (len === 0 || len % n !== 0) cur.fail(code, `${what}: length ${len} is not a non-zero multiple of ${n}`);
}

export function readIPv4(cur: Cursor, field: string): Address {
  return { family: 4, bytes: cur.bytes(4, field) };
}

export function readIPv6(cur: Cursor, field: string): Address {
  return { family: 6, bytes: cur.bytes(16, field) };
}
