// A hitlist: addresses known to answer probes, one per line. Pure parsing and lookup.
// Accepted lines (blank lines and "#" comments are skipped):
//   198.51.100.7                 an address (IPv4 or IPv6, as the IPv6 Hitlist publishes them)
//   198.51.100.7  anything else  extra columns are ignored
//   c6336407  87                 ISI style: the IPv4 address as 8 hex digits and a score;
//                                a score of 0 or less means it did not answer, and is skipped
import { type Address, address, formatAddress, parseAddress } from '../../model/address.ts';
import { type Prefix, parsePrefix, prefixContains } from '../../model/prefix.ts';
import { InputFormatError } from './traffic-format.ts';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export class Hitlist {
  /** Per family, sorted by address once the list is read: a prefix's entries are one run. */
  private readonly byFamily: { 4: { key: string; a: Address }[]; 6: { key: string; a: Address }[] } = { 4: [], 6: [] };
  private sorted = true;

  get size(): number {
    return this.byFamily[4].length + this.byFamily[6].length;
  }

  add(a: Address): void {
    this.byFamily[a.family].push({ key: hex(a.bytes), a });
    this.sorted = false;
  }

  /** The lowest hitlist address inside `prefix` that `ok` accepts (binary search, then the run). */
  find(prefixText: string, ok: (a: Address) => boolean = () => true): string | undefined {
    const p: Prefix | undefined = parsePrefix(prefixText);
    if (!p) return undefined;
    if (!this.sorted) {
      for (const l of [this.byFamily[4], this.byFamily[6]]) l.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      this.sorted = true;
    }
    const list = this.byFamily[p.family];
    const start = hex(p.bytes);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid].key < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && prefixContains(p, list[i].a); i++) if (ok(list[i].a)) return formatAddress(list[i].a);
    return undefined;
  }
}

export function parseHitlist(text: string, name: string): Hitlist {
  const h = new Hitlist();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '' || l.startsWith('#')) continue;
    const cols = l.split(/[\s,]+/);
    const a = parseAddress(cols[0]);
    if (a) {
      h.add(a);
      continue;
    }
    if (/^[0-9a-f]{8}$/i.test(cols[0])) {
      const score = cols.length > 1 ? Number(cols[1]) : 1;
      if (!Number.isFinite(score)) throw new InputFormatError(name, i + 1, `score ${JSON.stringify(cols[1].slice(0, 20))} is not a number`);
      if (score <= 0) continue;
      const n = Number.parseInt(cols[0], 16);
      h.add(address(new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])));
      continue;
    }
    throw new InputFormatError(name, i + 1, `is not an IP address or an ISI-style hex address: ${JSON.stringify(cols[0].slice(0, 60))}`);
  }
  return h;
}
