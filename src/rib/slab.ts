// Route records, packed. Each prefix (trie node) owns one chunk of 32-bit words:
//   header  [capacity, count, owner node]
//   records count x [tag, pathId, attrId, sinceSeconds]
// where tag = peer-table index | HAS_PATH_ID. 16 bytes a route, no JS object per route
// or per prefix, nothing for the GC to trace.
//
// Chunks are bump-allocated in 4 MB pages (never straddling one). A chunk that has to grow
// is copied into a bigger one and the old one becomes garbage; a chunk whose prefix is
// gone becomes garbage. compact() slides the live chunks down over the garbage, page by
// page, in address order (in place: no second copy of the table at any time) and tells
// the owner where its chunk went. maybeCompact() runs it once garbage exceeds a quarter
// of the live words, so copying stays amortised O(1) per freed word and the slab stays
// within 1.25x of the live routes. There are no free lists: growth classes would leave
// chunks of every size behind after a full-table load and never coalesce them.

export const HDR = 3;
export const REC = 4;
export const PAGE_BITS = 20;
export const PAGE = 1 << PAGE_BITS;
export const PAGE_MASK = PAGE - 1;
const MAX_PAGES = 4095; // addresses stay below 0xffffffff, which the trie uses as NONE
const FREE = 0xffffffff;
/** Set in a record's tag when the route has an ADD-PATH path id. */
export const HAS_PATH_ID = 0x80000000;
export const TAG_INDEX = 0x7fffffff;

export class RouteSlab {
  /** The pages; a chunk at address a is at pages[a >>> PAGE_BITS][a & PAGE_MASK]. */
  readonly pages: Uint32Array[] = [];
  private readonly ends: number[] = [];
  private off = PAGE;
  /** Words in live chunks / in freed chunks not yet compacted. */
  live = 0;
  garbage = 0;

  /** `onMove(owner, address)` is called by compact() for every chunk it moves. */
  constructor(private readonly onMove: (owner: number, address: number) => void) {}

  /** A chunk for `capacity` records with count 0, owned by `owner`. */
  alloc(capacity: number, owner: number): number {
    const size = HDR + capacity * REC;
    if (size > PAGE) throw new RangeError(`a prefix with ${capacity} routes does not fit a slab page`);
    if (this.off + size > PAGE) this.newPage();
    const p = this.pages.length - 1;
    const pg = this.pages[p];
    const o = this.off;
    pg[o] = capacity;
    pg[o + 1] = 0;
    pg[o + 2] = owner;
    this.off += size;
    this.live += size;
    return p * PAGE + o;
  }

  private newPage(): void {
    if (this.pages.length >= MAX_PAGES) throw new RangeError('route slab full');
    if (this.pages.length > 0) this.ends[this.pages.length - 1] = this.off;
    this.pages.push(new Uint32Array(PAGE));
    this.ends.push(0);
    this.off = 0;
  }

  free(address: number): void {
    const pg = this.pages[address >>> PAGE_BITS];
    const o = address & PAGE_MASK;
    const size = HDR + pg[o] * REC;
    pg[o + 2] = FREE;
    this.live -= size;
    this.garbage += size;
  }

  /** Compacts when garbage is over a quarter of the live words (and over one page). */
  maybeCompact(): void {
    if (this.garbage > PAGE && this.garbage * 4 > this.live) this.compact();
  }

  compact(): void {
    const n = this.pages.length;
    if (n === 0) return;
    this.ends[n - 1] = this.off;
    let dp = 0;
    let doff = 0;
    for (let sp = 0; sp < n; sp++) {
      const src = this.pages[sp];
      const end = this.ends[sp];
      let so = 0;
      while (so < end) {
        const size = HDR + src[so] * REC;
        const owner = src[so + 2];
        if (owner !== FREE) {
          if (doff + size > PAGE) {
            this.ends[dp] = doff;
            dp++;
            doff = 0;
          }
          // dp <= sp always, and within one page the destination is never past the source.
          if (dp === sp) {
            if (doff !== so) src.copyWithin(doff, so, so + size);
          } else this.pages[dp].set(src.subarray(so, so + size), doff);
          this.onMove(owner, dp * PAGE + doff);
          doff += size;
        }
        so += size;
      }
    }
    this.pages.length = dp + 1;
    this.ends.length = dp + 1;
    this.ends[dp] = doff;
    this.off = doff;
    this.garbage = 0;
  }

  /** Bytes held by the pages. */
  bytes(): number {
    return this.pages.length * PAGE * 4;
  }
}
