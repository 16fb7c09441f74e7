// The correlator's targets, sorted by address, so "which targets lie inside this prefix"
// is two binary searches: a full-table peer-down hands the correlator every prefix of
// the table, and that must cost O(log targets) per change, not O(targets).
import type { Address } from '../model/address.ts';
import type { Prefix } from '../model/prefix.ts';
import { compareAddress } from './view.ts';

export interface IndexedTarget {
  readonly id: string;
  readonly addr: Address;
}

function lastAddress(p: Prefix): Uint8Array {
  const b = new Uint8Array(p.bytes);
  for (let bit = p.len; bit < b.length * 8; bit++) b[bit >>> 3] |= 0x80 >>> (bit & 7);
  return b;
}

export class TargetIndex<T extends IndexedTarget> {
  private sorted: T[] = [];

  /** Replaces the set. */
  set(targets: Iterable<T>): void {
    this.sorted = [...targets].sort((a, b) => compareAddress(a.addr, b.addr));
  }

  get size(): number {
    return this.sorted.length;
  }

  /** The first index whose address is >= `a`. */
  private lowerBound(a: Address): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAddress(this.sorted[mid].addr, a) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Targets whose address lies inside `p`. */
  within(p: Prefix): T[] {
    if (this.sorted.length === 0) return [];
    const first: Address = { family: p.family, bytes: p.bytes };
    const last: Address = { family: p.family, bytes: lastAddress(p) };
    const out: T[] = [];
    for (let i = this.lowerBound(first); i < this.sorted.length && compareAddress(this.sorted[i].addr, last) <= 0; i++) out.push(this.sorted[i]);
    return out;
  }
}
