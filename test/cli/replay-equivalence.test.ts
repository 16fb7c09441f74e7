// The replay's packed RIB UPDATEs are written from cached attribute bytes (replay/mrt-bmp.ts
// fast path); they must be the bytes the generic encoder makes from the decoded attributes.
// Both are run over the same records and compared byte for byte, and the stream is checked
// to decode (BmpSession) into the MRT's routes without error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSynthRib } from '../../bench/bmp-synth.ts';
import type { MrtRecord } from '../../src/codec/mrt/types.ts';
import { decodeItem, mrtFileRawBatches } from '../../src/feeds/mrt-file.ts';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { MrtToBmp, type ReplayMessage } from '../../src/replay/mrt-bmp.ts';
import { repoRoot } from '../helpers/requirements.ts';

async function recordsOf(file: string): Promise<MrtRecord[]> {
  const out: MrtRecord[] = [];
  for await (const b of mrtFileRawBatches(file)) {
    for (const raw of b.records) {
      const item = decodeItem(raw);
      if (item.kind === 'record') out.push(item.record);
    }
  }
  return out;
}

function convert(records: readonly MrtRecord[], genericEncoder: boolean): { bytes: Buffer; conv: MrtToBmp } {
  const conv = new MrtToBmp({ genericEncoder });
  const msgs: ReplayMessage[] = [];
  msgs.push({ bytes: conv.initiation() });
  for (const r of records) conv.record(r, msgs);
  conv.endFile(msgs);
  msgs.push({ bytes: conv.termination() });
  return { bytes: Buffer.concat(msgs.map((m) => m.bytes)), conv };
}

function same(records: readonly MrtRecord[], what: string): { bytes: Buffer; conv: MrtToBmp } {
  const fast = convert(records, false);
  const generic = convert(records, true);
  assert.ok(fast.bytes.equals(generic.bytes), `${what}: fast path bytes (${fast.bytes.length}) differ from the generic encoder's (${generic.bytes.length})`);
  assert.deepEqual(fast.conv.stats, generic.conv.stats);
  assert.deepEqual(fast.conv.problems, generic.conv.problems);
  return fast;
}

function decode(bytes: Buffer): FeedEvent[] {
  const events: FeedEvent[] = [];
  new BmpSession('eq').feed(bytes, events);
  return events;
}

test('packed RIB UPDATEs: the fast path writes the generic encoder bytes (FRR fixtures)', async () => {
  const recs = [...(await recordsOf(join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt'))), ...(await recordsOf(join(repoRoot, 'fixtures', 'mrt', 'frr-updates.mrt')))];
  const { bytes, conv } = same(recs, 'frr');
  assert.ok(conv.stats.announced > 0, 'the fixture has RIB entries');
  const events = decode(bytes);
  assert.equal(events.filter((e) => e.kind === 'decode-error').length, 0, 'no decode error');
});

test('packed RIB UPDATEs: the fast path writes the generic encoder bytes (synthetic RIB, IPv4 and IPv6, 3 peers)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-replay-eq-'));
  try {
    const f = writeSynthRib(join(dir, 'rib.mrt'), 5000, 3);
    const { bytes, conv } = same(await recordsOf(f.path), 'synth');
    assert.equal(conv.stats.announced, f.routes);
    const events = decode(bytes);
    assert.equal(events.filter((e) => e.kind === 'decode-error').length, 0, 'no decode error');
    const routes = events.filter((e) => e.kind === 'route').length;
    assert.equal(routes, f.routes, `every RIB entry arrives as a route (${routes} of ${f.routes})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('packed RIB UPDATEs: large IPv6 packs (extended-length MP_REACH_NLRI) and ADD-PATH, fast = generic', () => {
  const header = { timestamp: 1_700_000_123, type: 13, subtype: 4, length: 0, microseconds: 0 };
  const addr = (...b: number[]) => ({ family: b.length === 4 ? 4 : 6, bytes: new Uint8Array(b) }) as const;
  const peers = [
    { peerType: 2, bgpId: addr(10, 0, 0, 1), address: addr(10, 0, 0, 1), asn: 65001 },
    { peerType: 3, bgpId: addr(10, 0, 0, 2), address: addr(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), asn: 4_200_000_000 },
  ];
  const recs: MrtRecord[] = [{ kind: 'peer-index-table', header, offset: 0, collectorId: addr(192, 0, 2, 1), viewName: '', peers } as unknown as MrtRecord];
  // ORIGIN IGP, AS_PATH (4-octet) 65001 65002, abbreviated MP_REACH_NLRI with a 16-byte next hop.
  const v6attrs = new Uint8Array([0x40, 1, 1, 0, 0x50, 2, 0, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea, 0x80, 14, 17, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
  const v4attrs = new Uint8Array([0x40, 1, 1, 0, 0x50, 2, 0, 6, 2, 1, 0xfa, 0x56, 0xea, 0, 0x40, 3, 4, 192, 0, 2, 9]);
  for (let i = 0; i < 1200; i++) {
    const p6 = parsePrefix(`2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}00::/56`)!;
    const p4 = parsePrefix(`10.${i >> 8}.${i & 255}.0/24`)!;
    recs.push({ kind: 'rib', header, offset: 2, afi: 1, safi: 1, addPath: true, generic: false, sequence: i, prefix: p4, entries: [{ peerIndex: 0, originatedTime: 0, pathId: i, attributes: v4attrs }, { peerIndex: 1, originatedTime: 0, pathId: 7, attributes: v4attrs }] } as MrtRecord);
    recs.push({ kind: 'rib', header, offset: 1, afi: 2, safi: 1, addPath: false, generic: false, sequence: i, prefix: p6, entries: [{ peerIndex: 0, originatedTime: 0, attributes: v6attrs }, { peerIndex: 1, originatedTime: 0, attributes: v6attrs }] } as MrtRecord);
  }
  const { bytes, conv } = same(recs, 'hand-made');
  assert.equal(conv.stats.announced, 4800);
  assert.ok(bytes.includes(Buffer.from([0x90, 14])), 'an extended-length MP_REACH_NLRI was written');
  const events = decode(bytes);
  assert.equal(events.filter((e) => e.kind === 'decode-error').length, 0, 'no decode error');
  assert.equal(events.filter((e) => e.kind === 'route').length, 4800, 'every entry arrives as a route');
});
