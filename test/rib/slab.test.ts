import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HDR, PAGE, REC, RouteSlab } from '../../src/rib/slab.ts';

test('compaction slides live chunks over garbage, across pages, and reports each move', () => {
  const owners = new Map<number, number>(); // owner -> address
  const slab = new RouteSlab((owner, address) => owners.set(owner, address));
  const big = Math.floor((PAGE / 3 - HDR) / REC); // three chunks a page
  for (let i = 0; i < 9; i++) {
    const a = slab.alloc(big, i);
    owners.set(i, a);
    const pg = slab.pages[a >>> 20];
    pg[(a & (PAGE - 1)) + HDR] = 1000 + i; // first record word, to follow the chunk
  }
  assert.equal(slab.pages.length, 3);
  for (const i of [0, 2, 4, 6, 7]) {
    slab.free(owners.get(i)!);
    owners.delete(i);
  }
  slab.compact();
  assert.equal(slab.pages.length, 2);
  assert.equal(slab.garbage, 0);
  for (const [i, a] of owners) {
    const pg = slab.pages[a >>> 20];
    const o = a & (PAGE - 1);
    assert.equal(pg[o], big);
    assert.equal(pg[o + 2], i);
    assert.equal(pg[o + HDR], 1000 + i);
  }
  // Allocation continues after the last live chunk.
  const a = slab.alloc(1, 99);
  assert.ok(a > Math.max(...owners.values()), 'a new slot should come after every owned slot');
});
