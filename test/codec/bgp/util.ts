// Test helpers: hex literals to bytes, cursors over them, and addresses/prefixes by text.
import { Cursor } from '../../../src/codec/cursor.ts';
import { addr, pfx } from '../../helpers/net.ts';

export { addr, pfx };

/** "40 01 01 00" or "40010100" to bytes. */
export function hex(s: string): Uint8Array {
  const t = s.replace(/[\s:]/g, '');
  if (t.length % 2 !== 0) throw new Error(`odd hex: ${s}`);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function cur(bytes: Uint8Array | string): Cursor {
  return new Cursor(typeof bytes === 'string' ? hex(bytes) : bytes);
}


