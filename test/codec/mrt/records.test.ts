// MRT record decoders: round trips, a table of truncated and bad-length inputs for every
// structure (exact layer and code), and properties: random and mutated records give only
// DecodeErrors (or unknown/skipped records), never another exception, never a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cursor, Writer } from '../../../src/codec/cursor.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { viewBgpMessage } from '../../../src/codec/mrt/bgp4mp.ts';
import { BgpdumpText } from '../../../src/codec/mrt/bgpdump/text.ts';
import { type MrtHeader, MrtFramer, frameAll } from '../../../src/codec/mrt/framing.ts';
import { decodeMrtRecord } from '../../../src/codec/mrt/index.ts';
import { mrtRouteEvents } from '../../../src/codec/mrt/route-events.ts';
import { encodeTableDump } from '../../../src/codec/mrt/table-dump.ts';
import { encodePeerIndexTable, encodeRib } from '../../../src/codec/mrt/table-dump-v2.ts';
import { address } from '../../../src/model/address.ts';
import { parsePrefix } from '../../../src/model/prefix.ts';
import { repoRoot } from '../../helpers/requirements.ts';

const ATTRS = new Uint8Array([0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe8, 0x40, 3, 4, 10, 0, 0, 1]);

function hdr(type: number, subtype: number, length: number, microseconds = 0): MrtHeader {
  return { timestamp: 1700000000, type, subtype, length, microseconds };
}

function decode(type: number, subtype: number, body: Uint8Array) {
  return decodeMrtRecord({ header: hdr(type, subtype, body.length), body, offset: 0 });
}

function tableDumpBody(): Uint8Array {
  const w = new Writer();
  encodeTableDump(
    {
      view: 0,
      sequence: 7,
      prefix: parsePrefix('192.0.2.0/24')!,
      status: 1,
      originated: 1699999999,
      peerAddress: address(new Uint8Array([10, 0, 0, 1])),
      peerAs: 65000,
      as4: false,
      attributes: ATTRS,
    },
    w,
  );
  return w.finish();
}

function pitBody(): Uint8Array {
  const w = new Writer();
  encodePeerIndexTable(
    {
      collectorId: address(new Uint8Array([10, 0, 0, 9])),
      viewName: 'v',
      peers: [
        { peerType: 2, bgpId: address(new Uint8Array([10, 0, 0, 1])), address: address(new Uint8Array([10, 0, 0, 1])), asn: 4200000001 },
        { peerType: 1, bgpId: address(new Uint8Array([10, 0, 0, 2])), address: address(new Uint8Array(16).fill(0x20, 0, 1)), asn: 65002 },
      ],
    },
    w,
  );
  return w.finish();
}

function ribBody(addPath = false): Uint8Array {
  const w = new Writer();
  encodeRib(
    {
      afi: 1,
      safi: 1,
      addPath,
      generic: false,
      sequence: 3,
      prefix: parsePrefix('198.51.100.0/24')!,
      entries: [{ peerIndex: 0, originatedTime: 1699990000, pathId: addPath ? 5 : undefined, attributes: ATTRS }],
    },
    w,
  );
  return w.finish();
}

function bgpUpdate(): Uint8Array {
  const w = new Writer();
  for (let i = 0; i < 16; i++) w.u8(0xff);
  const body = new Writer();
  body.u16(0).u16(ATTRS.length).bytes(ATTRS).u8(24).u8(192).u8(0).u8(2);
  const b = body.finish();
  w.u16(19 + b.length).u8(2).bytes(b);
  return w.finish();
}

function messageBody(): Uint8Array {
  const w = new Writer();
  w.u32(65001).u32(65002).u16(0).u16(1).bytes(new Uint8Array([10, 0, 0, 1])).bytes(new Uint8Array([10, 0, 0, 2])).bytes(bgpUpdate());
  return w.finish();
}

function stateBody(): Uint8Array {
  const w = new Writer();
  w.u16(65001).u16(65002).u16(0).u16(1).bytes(new Uint8Array([10, 0, 0, 1])).bytes(new Uint8Array([10, 0, 0, 2])).u16(1).u16(6);
  return w.finish();
}

test('round trips and bgpdump text of hand-built records', () => {
  const td = decode(12, 1, tableDumpBody());
  assert.equal(td.kind, 'table-dump');
  const text = new BgpdumpText();
  // TABLE_DUMP subtype 1 has 2-byte ASNs: ATTRS' 4-byte AS_PATH overruns, which bgpdump prints as "! Error !".
  assert.equal(text.format(td), 'TABLE_DUMP|1700000000|B|10.0.0.1|65000|192.0.2.0/24|! Error !|IGP|10.0.0.1|0|0||NAG||\n');
  const pit = decode(13, 1, pitBody());
  assert.equal(pit.kind, 'peer-index-table');
  assert.equal(text.format(pit), '');
  const rib = decode(13, 2, ribBody());
  assert.equal(text.format(rib), 'TABLE_DUMP2|1700000000|B|10.0.0.1|4200000001|198.51.100.0/24|65000|IGP|10.0.0.1|0|0||NAG||\n');
  const ribAp = decode(13, 8, ribBody(true));
  assert.equal(text.format(ribAp), 'TABLE_DUMP2_AP|1700000000|B|10.0.0.1|4200000001|198.51.100.0/24|5|65000|IGP|10.0.0.1|0|0||NAG||\n');
  const msg = decode(16, 4, messageBody());
  assert.equal(text.format(msg), 'BGP4MP|1700000000|A|10.0.0.1|65001|192.0.2.0/24|65000|IGP|10.0.0.1|0|0||NAG||\n');
  const et = decodeMrtRecord({ header: hdr(17, 4, messageBody().length + 4, 42), body: messageBody(), offset: 0 });
  assert.match(text.format(et), /^BGP4MP_ET\|1700000000\.000042\|A\|/);
  const st = decode(16, 0, stateBody());
  assert.equal(text.format(st), 'BGP4MP|1700000000|STATE|10.0.0.1|65001|1|6\n');
  // Re-encoding the decoded body gives the same bytes.
  const w = new Writer();
  if (rib.kind !== 'rib') throw new Error('not a rib');
  encodeRib(rib, w);
  assert.deepEqual(w.finish(), ribBody());
});

interface Case {
  readonly name: string;
  readonly type: number;
  readonly subtype: number;
  readonly body: Uint8Array;
  readonly code: string;
}

const cut = (b: Uint8Array, n: number) => b.slice(0, n);
const patch = (b: Uint8Array, at: number, ...v: number[]) => {
  const c = b.slice();
  c.set(v, at);
  return c;
};

const CASES: Case[] = [
  { name: 'TABLE_DUMP: empty', type: 12, subtype: 1, body: new Uint8Array(0), code: 'truncated' },
  { name: 'TABLE_DUMP: cut in the prefix', type: 12, subtype: 1, body: cut(tableDumpBody(), 6), code: 'truncated' },
  { name: 'TABLE_DUMP: cut in the peer address', type: 12, subtype: 1, body: cut(tableDumpBody(), 16), code: 'truncated' },
  { name: 'TABLE_DUMP: prefix length 33', type: 12, subtype: 1, body: patch(tableDumpBody(), 8, 33), code: 'table-dump-prefix-length' },
  { name: 'TABLE_DUMP: attribute length overruns', type: 12, subtype: 1, body: cut(tableDumpBody(), tableDumpBody().length - 1), code: 'bad-length' },
  { name: 'TABLE_DUMP: IPv6 subtype, IPv4-sized body', type: 12, subtype: 2, body: tableDumpBody(), code: 'truncated' },
  { name: 'PEER_INDEX_TABLE: cut in collector id', type: 13, subtype: 1, body: cut(pitBody(), 3), code: 'truncated' },
  { name: 'PEER_INDEX_TABLE: view name overruns', type: 13, subtype: 1, body: patch(pitBody(), 4, 0xff, 0xff), code: 'bad-length' },
  { name: 'PEER_INDEX_TABLE: cut in a peer entry', type: 13, subtype: 1, body: cut(pitBody(), pitBody().length - 3), code: 'truncated' },
  { name: 'PEER_INDEX_TABLE: more peers than bytes', type: 13, subtype: 1, body: patch(pitBody(), 7, 0, 9), code: 'truncated' },
  { name: 'RIB: cut in sequence', type: 13, subtype: 2, body: cut(ribBody(), 2), code: 'truncated' },
  { name: 'RIB: prefix length 33', type: 13, subtype: 2, body: patch(ribBody(), 4, 33), code: 'prefix-length' },
  { name: 'RIB: cut in the prefix', type: 13, subtype: 2, body: cut(ribBody(), 6), code: 'truncated' },
  { name: 'RIB: entry count beyond the entries', type: 13, subtype: 2, body: patch(ribBody(), 8, 0, 2), code: 'truncated' },
  { name: 'RIB: attribute length overruns', type: 13, subtype: 2, body: cut(ribBody(), ribBody().length - 1), code: 'truncated' },
  { name: 'RIB ADD-PATH: cut in the path id', type: 13, subtype: 8, body: cut(ribBody(true), 18), code: 'truncated' },
  { name: 'RIB_GENERIC: cut after SAFI', type: 13, subtype: 6, body: new Uint8Array([0, 0, 0, 1, 0, 1, 128]), code: 'truncated' },
  { name: 'RIB_GENERIC: non-IP NLRI overruns', type: 13, subtype: 6, body: new Uint8Array([0, 0, 0, 1, 0, 1, 128, 200, 1]), code: 'truncated' },
  { name: 'STATE_CHANGE: cut in the ASes', type: 16, subtype: 0, body: cut(stateBody(), 3), code: 'truncated' },
  { name: 'STATE_CHANGE: IPv4 body of 19 bytes', type: 16, subtype: 0, body: cut(stateBody(), 19), code: 'state-change-length' },
  { name: 'STATE_CHANGE: AFI 3', type: 16, subtype: 0, body: patch(stateBody(), 6, 0, 3), code: 'state-change-afi' },
  { name: 'STATE_CHANGE_AS4: 2-byte body', type: 16, subtype: 5, body: stateBody(), code: 'truncated' },
  { name: 'MESSAGE_AS4: cut in the ASes', type: 16, subtype: 4, body: cut(messageBody(), 6), code: 'truncated' },
  { name: 'MESSAGE_AS4: AFI 7', type: 16, subtype: 4, body: patch(messageBody(), 10, 0, 7), code: 'bgp4mp-afi' },
  { name: 'MESSAGE_AS4: cut in the local address', type: 16, subtype: 4, body: cut(messageBody(), 18), code: 'truncated' },
  { name: 'BGP (type 5) UPDATE: cut in the local address', type: 5, subtype: 1, body: new Uint8Array([0, 1, 10, 0, 0, 1, 0, 2, 10]), code: 'truncated' },
  { name: 'BGP (type 5) STATE_CHANGE: cut in the states', type: 5, subtype: 3, body: new Uint8Array([0, 1, 10, 0, 0, 1, 0]), code: 'truncated' },
];

for (const c of CASES) {
  test(`truncated/bad length: ${c.name} -> mrt/${c.code}`, () => {
    assert.throws(
      () => decode(c.type, c.subtype, c.body),
      (e: unknown) => e instanceof DecodeError && e.layer === 'mrt' && e.code === c.code,
    );
  });
}

test('embedded BGP message: bad marker and short length', () => {
  const m = bgpUpdate();
  const bad = patch(m, 3, 0);
  assert.throws(() => viewBgpMessage(new Cursor(bad, 0, bad.length, 'mrt')), (e: unknown) => e instanceof DecodeError && e.code === 'bgp4mp-marker');
  const short = patch(m, 16, 0, 18);
  assert.throws(() => viewBgpMessage(new Cursor(short, 0, short.length, 'mrt')), (e: unknown) => e instanceof DecodeError && e.code === 'bgp4mp-message-length');
  const long = patch(m, 16, 0x10, 0);
  assert.ok(viewBgpMessage(new Cursor(long, 0, long.length, 'mrt')).cutBytes > 0, 'an over-long BGP message should report cut bytes');
});

function record(type: number, subtype: number, body: Uint8Array): Uint8Array {
  const w = new Writer();
  w.u32(1700000000).u16(type).u16(subtype).u32(body.length).bytes(body);
  return w.finish();
}

test('framing: a cut header, a cut record, a short _ET record, a record too long', () => {
  const one = record(16, 0, stateBody());
  assert.deepEqual(frameAll(cut(one, 5)).problems, [{ kind: 'truncated-header', offset: 0, have: 5 }]);
  const two = new Uint8Array([...one, ...cut(one, 20)]);
  const r = frameAll(two);
  assert.equal(r.records.length, 1);
  assert.deepEqual(r.problems, [{ kind: 'truncated-record', offset: one.length, declared: stateBody().length, have: 8 }]);
  const et = record(17, 0, new Uint8Array(3));
  assert.deepEqual(frameAll(et).problems, [{ kind: 'bad-et-length', offset: 0, declared: 3 }]);
  const huge = patch(one, 8, 0x7f, 0xff, 0xff, 0xff);
  assert.equal(frameAll(huge).problems[0].kind, 'record-too-long');
  // Chunked feeding frames the same records as one buffer.
  const f = new MrtFramer();
  const seen: number[] = [];
  const stream = new Uint8Array([...one, ...one, ...one]);
  for (let i = 0; i < stream.length; i += 7) f.push(stream.subarray(i, i + 7), (rec) => seen.push(rec.offset));
  assert.deepEqual(seen, [0, one.length, 2 * one.length]);
  assert.deepEqual(f.end(), []);
});

/** Decodes everything the way the CLI does; only DecodeError may escape decodeMrtRecord. */
function runAll(bytes: Uint8Array): void {
  const text = new BgpdumpText();
  const conv = mrtRouteEvents({ router: 't', received: () => 0 });
  const f = new MrtFramer();
  f.push(bytes, (raw) => {
    let rec: ReturnType<typeof decodeMrtRecord>;
    try {
      rec = decodeMrtRecord(raw);
    } catch (e) {
      if (e instanceof DecodeError) return;
      throw e;
    }
    text.format(rec);
    conv.convert(rec);
    conv.takeProblems();
  });
  f.end();
}

test('property: random bytes never throw anything but DecodeError, never hang', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      runAll(b);
    }),
    { numRuns: 2000 },
  );
});

test('property: random bodies under every known type/subtype', () => {
  const types = [5, 12, 13, 16, 17];
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 300 }), (type, subtype, body) => {
      runAll(new Uint8Array([...record(13, 1, pitBody()), ...record(type, subtype, body)]));
    }),
    { numRuns: 3000 },
  );
});

test('property: mutated real records (FRR fixtures) never throw anything but DecodeError', () => {
  const files = ['frr-updates.mrt', 'frr-rib.mrt'].map((n) => new Uint8Array(readFileSync(join(repoRoot, 'fixtures', 'mrt', n))));
  fc.assert(
    fc.property(
      fc.constantFrom(...files),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      (file, muts) => {
        const b = file.slice();
        for (const [at, v] of muts) b[at % b.length] = v;
        runAll(b);
      },
    ),
    { numRuns: 2000 },
  );
});
