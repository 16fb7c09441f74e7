// Addresses and prefixes as bgpdump prints them, as strings (the general path) and as
// bytes written into an output buffer (the fast paths). IPv4 is inet_ntoa; IPv6 is
// bgpdump's own fmt_ipv6, which is not glibc's inet_ntop (see bgpdumpIPv6).
import type { Address } from '../../../model/address.ts';
import type { Prefix } from '../../../model/prefix.ts';
import { latin1Bytes, u32At, writeOctet, writeUint } from './byte-out.ts';

const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** inet_ntoa, by table: no number formatting per octet. */
export function ipv4Text(b: Uint8Array, off = 0): string {
  return `${OCTET[b[off]]}.${OCTET[b[off + 1]]}.${OCTET[b[off + 2]]}.${OCTET[b[off + 3]]}`;
}

/**
 * IPv6 text as bgpdump's own fmt_ipv6 writes it, which is not glibc's inet_ntop: the
 * longest run of zero words is compressed even when it is a single word
 * ("2001:7f8:30::2:1:0:8447"), the leftmost run wins a tie, and IPv4-mapped/-compatible
 * addresses print as "::ffff:a.b.c.d" / "::a.b.c.d" (compatible: last word pair > 1).
 */
export function bgpdumpIPv6(b: Uint8Array, off = 0): string {
  let zero12 = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) zero12 = false;
  if (zero12) {
    const mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
    const tail = ((b[off + 12] << 24) >>> 0) + ((b[off + 13] << 16) | (b[off + 14] << 8) | b[off + 15]);
    if (mapped) return `::ffff:${ipv4Text(b, off + 12)}`;
    if (b[off + 10] === 0 && b[off + 11] === 0 && tail > 1) return `::${ipv4Text(b, off + 12)}`;
  }
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) w[i] = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
  // Run length of zero words starting at each position; the first longest run is compressed.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let n = 0;
    while (i + n < 8 && w[i + n] === 0) n++;
    if (n > bestLen) {
      best = i;
      bestLen = n;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += w[i].toString(16);
    if (i !== 7) s += ':';
  }
  return s;
}

export function addrText(a: Address): string {
  return a.family === 4 ? ipv4Text(a.bytes) : bgpdumpIPv6(a.bytes);
}

/** bgpdump prints the prefix of a 4-byte address with inet_ntoa and of a 16-byte one with its fmt_ipv6. */
export function prefixText(p: Prefix): string {
  return `${p.family === 4 ? ipv4Text(p.bytes) : bgpdumpIPv6(p.bytes)}/${p.len}`;
}

/** ipv4Text(b, off), written as bytes. */
export function writeIPv4(b: Uint8Array, off: number, o: Uint8Array, at: number): number {
  let w = writeUint(b[off], o, at);
  o[w++] = 0x2e;
  w = writeUint(b[off + 1], o, w);
  o[w++] = 0x2e;
  w = writeUint(b[off + 2], o, w);
  o[w++] = 0x2e;
  return writeUint(b[off + 3], o, w);
}

const HEX = latin1Bytes('0123456789abcdef');

/** bgpdumpIPv6(b, off), written as bytes. */
export function writeIPv6(b: Uint8Array, off: number, o: Uint8Array, w: number): number {
  let zero10 = true;
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) zero10 = false;
  if (zero10) {
    const mapped = b[off + 10] === 0xff && b[off + 11] === 0xff;
    if (mapped || (b[off + 10] === 0 && b[off + 11] === 0 && u32At(b, off + 12) > 1)) {
      o[w++] = 0x3a;
      o[w++] = 0x3a;
      if (mapped) {
        for (let i = 0; i < 4; i++) o[w++] = 0x66;
        o[w++] = 0x3a;
      }
      return writeIPv4(b, off + 12, o, w);
    }
  }
  // The first longest run of zero words is compressed, even a single one.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let k = 0;
    while (i + k < 8 && b[off + 2 * (i + k)] === 0 && b[off + 2 * (i + k) + 1] === 0) k++;
    if (k > bestLen) {
      best = i;
      bestLen = k;
    }
  }
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      if (i === 0) o[w++] = 0x3a;
      o[w++] = 0x3a;
      i += bestLen - 1;
      continue;
    }
    const v = (b[off + 2 * i] << 8) | b[off + 2 * i + 1];
    if (v >= 0x1000) o[w++] = HEX[v >>> 12];
    if (v >= 0x100) o[w++] = HEX[(v >>> 8) & 15];
    if (v >= 0x10) o[w++] = HEX[(v >>> 4) & 15];
    o[w++] = HEX[v & 15];
    if (i !== 7) o[w++] = 0x3a;
  }
  return w;
}

/** The longest text writePrefix writes: eight 4-digit words, seven colons, "/128". */
export const MAX_PREFIX_TEXT = 43;

const PREFIX_SCRATCH = new Uint8Array(16);

/**
 * prefixText of the wire prefix at `b[p]` (its length byte, then its bytes), written as
 * bytes: host bits cleared, as model/prefix.ts does. The caller has checked that the
 * length is at most 32 / 128 and that its bytes are there.
 */
export function writePrefix(b: Uint8Array, p: number, v6: boolean, o: Uint8Array, w: number): number {
  const len = b[p];
  const nb = (len + 7) >>> 3;
  const bits = len & 7;
  if (!v6) {
    for (let i = 0; i < 4; i++) {
      let v = i < nb ? b[p + 1 + i] : 0;
      if (i === nb - 1 && bits !== 0) v &= 0xff << (8 - bits);
      w = writeOctet(v, o, w);
      o[w++] = i < 3 ? 0x2e : 0x2f;
    }
  } else {
    const s = PREFIX_SCRATCH;
    for (let i = 0; i < 16; i++) s[i] = i < nb ? b[p + 1 + i] : 0;
    if (bits !== 0) s[nb - 1] &= 0xff << (8 - bits);
    w = writeIPv6(s, 0, o, w);
    o[w++] = 0x2f;
  }
  return writeOctet(len, o, w);
}
