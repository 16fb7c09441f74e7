// An IP prefix: family, length and the network bytes (4 or 16, host bits zero).
import { type Address, type Family, compareBytes, formatIPv4, formatIPv6, parseAddress } from './address.ts';

export interface Prefix {
  readonly family: Family;
  readonly len: number;
  readonly bytes: Uint8Array;
}

/** Builds a prefix from possibly longer or dirty bytes; host bits are cleared. */
export function prefix(family: Family, len: number, raw: Uint8Array): Prefix {
  const size = family === 4 ? 4 : 16;
  if (len < 0 || len > size * 8) throw new RangeError(`prefix length ${len} out of range for IPv${family}`);
  const bytes = new Uint8Array(size);
  const whole = len >>> 3;
  bytes.set(raw.subarray(0, Math.min(whole, raw.length)));
  const bits = len & 7;
  if (bits && whole < raw.length) bytes[whole] = raw[whole] & (0xff << (8 - bits));
  return { family, len, bytes };
}

export function formatPrefix(p: Prefix): string {
  return `${p.family === 4 ? formatIPv4(p.bytes) : formatIPv6(p.bytes)}/${p.len}`;
}

/** Parses "a.b.c.d/len" or "x::/len"; a bare address is a host prefix. Undefined if invalid. */
export function parsePrefix(s: string): Prefix | undefined {
  const slash = s.indexOf('/');
  const addrText = slash === -1 ? s : s.slice(0, slash);
  const a = parseAddress(addrText);
  if (!a) return undefined;
  const max = a.family === 4 ? 32 : 128;
  let len = max;
  if (slash !== -1) {
    const lenText = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText)) return undefined;
    len = Number(lenText);
    if (len > max) return undefined;
  }
  return prefix(a.family, len, a.bytes);
}

export function prefixEquals(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.len === b.len && compareBytes(a.bytes, b.bytes) === 0;
}

/** True if `p` covers address `a` (same family, first p.len bits equal). */
export function prefixContains(p: Prefix, a: Address): boolean {
  if (p.family !== a.family) return false;
  const whole = p.len >>> 3;
  for (let i = 0; i < whole; i++) if (p.bytes[i] !== a.bytes[i]) return false;
  const bits = p.len & 7;
  if (bits === 0) return true;
  const mask = 0xff << (8 - bits);
  return (p.bytes[whole] & mask) === (a.bytes[whole] & mask);
}

export function prefixKey(p: Prefix): string {
  return formatPrefix(p);
}
