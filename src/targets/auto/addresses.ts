// Which addresses of a prefix to try when no hitlist names one: the first usable address
// (routers and anycast services sit there more often than anywhere else), then a small
// sample spread over the prefix, chosen by a hash of the prefix so every run (and every
// probe host) tries the same ones. Pure.
import { type Address, formatAddress } from '../../model/address.ts';
import { type Prefix, parsePrefix } from '../../model/prefix.ts';

function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBig(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return out;
}

/** FNV-1a over the prefix text, then xorshift: a fixed, well-spread sequence per prefix. */
function* sequence(seedText: string): Generator<bigint> {
  let h = 0x811c9dc5;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 0x01000193) >>> 0;
  let x = BigInt(h) | 1n;
  const mask = (1n << 64n) - 1n;
  for (;;) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    yield x;
  }
}

/**
 * Up to `n` addresses inside `prefixText`, the first usable one first. IPv4: not the
 * network or broadcast address of a /30 or shorter. `ok` filters (probe.allowed).
 */
export function candidateAddresses(prefixText: string, n: number, ok: (a: Address) => boolean = () => true): string[] {
  const p: Prefix | undefined = parsePrefix(prefixText);
  if (!p || n <= 0) return [];
  const size = p.bytes.length;
  const bits = size * 8;
  const hostBits = BigInt(bits - p.len);
  const base = toBig(p.bytes);
  const span = 1n << hostBits;
  // Usable host offsets [lo, hi]: not the network address (IPv6: the subnet-router anycast
  // address) nor the IPv4 broadcast, except on /31, /127 (RFC 3021, 6164) and host prefixes.
  const lo = hostBits >= 2n ? 1n : 0n;
  const hi = p.family === 4 && hostBits >= 2n ? span - 2n : span - 1n;
  const out: string[] = [];
  const seen = new Set<bigint>();
  const take = (off: bigint) => {
    if (off < lo || off > hi || seen.has(off)) return;
    seen.add(off);
    const a: Address = { family: p.family, bytes: fromBig(base + off, size) };
    if (ok(a)) out.push(formatAddress(a));
  };
  take(lo);
  const count = hi - lo + 1n;
  if (count <= 1n) return out;
  // Bounded: a prefix where `ok` refuses everything must not spin.
  const gen = sequence(prefixText);
  for (let tries = 0; out.length < n && tries < n * 8; tries++) take(lo + (gen.next().value as bigint) % count);
  return out.slice(0, n);
}
