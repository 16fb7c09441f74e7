// Round trips of every message type (decode(encode(m)) equals m, encode(decode(b)) equals
// b), framing, and a table of truncated / bad-length inputs per message type with the
// exact error code each must give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeBgpMessage } from '../../../src/codec/bgp/message.ts';
import {
  type BmpMessage,
  FLAG_A,
  FLAG_F,
  FLAG_L,
  FLAG_O,
  decodeBmpMessage,
  decodeRouteMonitoringUpdate,
  encodeBmpMessage,
  openFacts,
  peerDownText,
  peerTable,
  splitBmp,
  splitBmpStream,
  statCounters,
  textTlv,
} from '../../../src/codec/bmp/index.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { addr, announceMsg, initiation, open, peerHeader, peerUp, pfx, update, withdrawMsg } from './util.ts';

const notification = { kind: 'notification' as const, code: 6, subcode: 2, data: new Uint8Array([1, 2]) };

const SAMPLES: Record<string, BmpMessage> = {
  initiation: initiation(),
  termination: { kind: 'termination', tlvs: [textTlv(0, 'bye'), { type: 1, value: new Uint8Array([0, 2]) }] },
  'peer-up v4': peerUp(peerHeader()),
  'peer-up v6 with info': { ...(peerUp(peerHeader({ address: addr('2001:db8::2') })) as Extract<BmpMessage, { kind: 'peer-up' }>), info: [textTlv(0, 'x'), textTlv(4, 'label')] },
  'route-monitoring': announceMsg(peerHeader(), ['198.51.100.0/24', '203.0.113.0/24'], [65002, 65004]),
  'route-monitoring add-path': announceMsg(peerHeader({ flags: FLAG_L }), ['198.51.100.0/24'], [65002], [7]),
  'route-monitoring loc-rib': announceMsg(peerHeader({ peerType: 3, flags: FLAG_F, address: addr('0.0.0.0'), distinguisher: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 9]) }), ['10.0.0.0/8'], []),
  'peer-down 1': { kind: 'peer-down', peer: peerHeader(), reason: 1, data: { kind: 'notification', notification } },
  'peer-down 2': { kind: 'peer-down', peer: peerHeader(), reason: 2, data: { kind: 'fsm-event', event: 18 } },
  'peer-down 3': { kind: 'peer-down', peer: peerHeader(), reason: 3, data: { kind: 'notification', notification: { ...notification, code: 4, subcode: 0, data: new Uint8Array(0) } } },
  'peer-down 4': { kind: 'peer-down', peer: peerHeader(), reason: 4, data: { kind: 'none' } },
  'peer-down 5': { kind: 'peer-down', peer: peerHeader(), reason: 5, data: { kind: 'none' } },
  'peer-down 6': { kind: 'peer-down', peer: peerHeader({ peerType: 3 }), reason: 6, data: { kind: 'tlvs', tlvs: [textTlv(3, 'global')] } },
  'peer-down 9': { kind: 'peer-down', peer: peerHeader(), reason: 9, data: { kind: 'raw', raw: new Uint8Array([1, 2, 3]) } },
  statistics: {
    kind: 'statistics',
    peer: peerHeader({ peerType: 1, distinguisher: new Uint8Array([0, 1, 0, 0, 0xfd, 0xe9, 0, 7]) }),
    stats: [
      { kind: 'counter', type: 0, value: 5 },
      { kind: 'gauge', type: 7, value: 123456789012n },
      { kind: 'afi-safi-gauge', type: 9, afi: 2, safi: 1, value: 42n },
      { kind: 'unknown', type: 7, raw: new Uint8Array([1, 2, 3, 4]) }, // known type, wrong length: raw
      { kind: 'unknown', type: 300, raw: new Uint8Array([9]) },
    ],
  },
  'route-mirroring': { kind: 'route-mirroring', peer: peerHeader(), tlvs: [{ type: 1, value: new Uint8Array([0, 1]) }] },
  'unknown type 100': { kind: 'unknown', type: 100, raw: new Uint8Array([1, 2, 3, 4, 5]) },
};

for (const [name, m] of Object.entries(SAMPLES)) {
  test(`round trip: ${name}`, () => {
    const bytes = encodeBmpMessage(m);
    assert.equal(splitBmp(bytes, 0), bytes.length);
    const back = decodeBmpMessage(bytes);
    assert.deepEqual(back, m);
    assert.deepEqual(encodeBmpMessage(back), bytes);
  });
}

test('route monitoring: the UPDATE decodes with the session context; tables from flags', () => {
  const m = SAMPLES['route-monitoring add-path'];
  assert.equal(m.kind, 'route-monitoring');
  if (m.kind !== 'route-monitoring') return;
  const u = decodeRouteMonitoringUpdate(decodeBmpMessage(encodeBmpMessage(m)) as typeof m, { as4: true, addPath: new Set(['1/1']) });
  assert.deepEqual(u.nlri, [{ prefix: pfx('198.51.100.0/24'), pathId: 7 }]);
  assert.equal(peerTable(0, 0), 'adj-rib-in-pre');
  assert.equal(peerTable(0, FLAG_L), 'adj-rib-in-post');
  assert.equal(peerTable(1, FLAG_O), 'adj-rib-out-pre');
  assert.equal(peerTable(2, FLAG_O | FLAG_L | FLAG_A), 'adj-rib-out-post');
  assert.equal(peerTable(3, FLAG_F), 'loc-rib');
});

test('peer up: open facts (4-octet AS, ADD-PATH) and the tolerant reading of an empty ADD-PATH capability', () => {
  const m = peerUp(peerHeader({ asn: 4200000003 }), 65001, { mine: 1, theirs: 3 });
  const back = decodeBmpMessage(encodeBmpMessage(m));
  assert.equal(back.kind, 'peer-up');
  if (back.kind !== 'peer-up') return;
  const sent = openFacts(back.sentOpen);
  const received = openFacts(back.receivedOpen);
  assert.equal(sent.asn, 65001);
  assert.equal(received.asn, 4200000003);
  assert.equal(received.myAs, 23456);
  assert.equal(sent.addPath.get('1/1'), 1);
  assert.equal(received.addPath.get('1/1'), 3);
  // FRR's fabricated Loc-RIB OPEN: capability 69 with length 0 (strict decodeOpen rejects it).
  const o = encodeBgpMessage(open(65001, '10.0.0.1'), { as4: true });
  const withEmpty = new Uint8Array(o.length + 4);
  withEmpty.set(o);
  withEmpty.set([2, 2, 69, 0], o.length);
  withEmpty[17] = withEmpty.length;
  withEmpty[28] += 4;
  const f = openFacts(withEmpty);
  assert.equal(f.asn, 65001);
  assert.equal(f.as4, true);
  assert.deepEqual(f.problems, ['ADD-PATH capability of length 0']);
});

test('peer down reasons in words', () => {
  const text = (name: string) => peerDownText(SAMPLES[name] as Extract<BmpMessage, { kind: 'peer-down' }>);
  assert.equal(text('peer-down 1'), 'local system closed the session: NOTIFICATION cease/administrative shutdown (6/2)');
  assert.equal(text('peer-down 2'), 'local system closed the session without NOTIFICATION (FSM event 18)');
  assert.equal(text('peer-down 3'), 'remote system closed the session: NOTIFICATION hold timer expired (4/0)');
  assert.equal(text('peer-down 4'), 'remote system closed the session without NOTIFICATION');
  assert.equal(text('peer-down 5'), 'peer de-configured (no longer monitored)');
  assert.equal(text('peer-down 6'), 'local system closed: Loc-RIB instance no longer available');
  assert.equal(text('peer-down 9'), 'unknown reason 9');
});

test('statistics: counters by name', () => {
  const m = SAMPLES.statistics;
  if (m.kind !== 'statistics') return;
  assert.deepEqual(statCounters(m.stats), { 'rejected-prefixes': 5, 'adj-rib-in-routes': 123456789012, 'adj-rib-in-routes:2/1': 42 });
});

test('framing: splitBmp needs the whole message, checks version and length from the first bytes', () => {
  const a = encodeBmpMessage(SAMPLES.initiation);
  const b = encodeBmpMessage(SAMPLES['route-monitoring']);
  const both = new Uint8Array([...a, ...b]);
  assert.equal(splitBmp(both, 0), a.length);
  assert.equal(splitBmp(both, a.length), b.length);
  for (let cut = 0; cut < b.length; cut++) assert.equal(splitBmp(both.subarray(0, a.length + cut), a.length), 0);
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof DecodeError ? `${e.code}@${e.offset}` : `not a DecodeError: ${e}`;
    }
    return 'no error';
  };
  assert.equal(code(() => splitBmp(new Uint8Array([4]), 0)), 'unsupported-version@0');
  assert.equal(code(() => splitBmp(new Uint8Array([1, 0, 0]), 0)), 'unsupported-version@0');
  assert.equal(code(() => splitBmp(new Uint8Array([3, 0, 0, 0, 5]), 0)), 'length-too-short@1');
  assert.equal(code(() => splitBmp(new Uint8Array([3, 0, 0x10, 0, 1]), 0, 4096)), 'length-too-long@1');
  assert.equal(code(() => splitBmp(new Uint8Array([3, 0x7f, 0, 0, 0, 4]), 0)), 'length-too-long@1');
  const s = splitBmpStream(both.subarray(0, both.length - 3));
  assert.equal(s.messages.length, 1);
  assert.equal(s.error?.code, 'incomplete-message');
  assert.equal(s.end, a.length);
  assert.equal(splitBmpStream(both.subarray(0, a.length + 2)).error?.code, 'incomplete-header');
  assert.equal(splitBmpStream(new Uint8Array(0)).messages.length, 0);
});

/** `m` encoded, then its body cut or patched; the common header length is fixed up to match. */
function patched(m: BmpMessage, edit: (body: Uint8Array) => Uint8Array): Uint8Array {
  const full = encodeBmpMessage(m);
  const body = edit(full.slice(6));
  const out = new Uint8Array(6 + body.length);
  out.set([3, 0, 0, 0, 0, full[5]]);
  new DataView(out.buffer).setUint32(1, out.length);
  out.set(body, 6);
  return out;
}
const cut = (n: number) => (b: Uint8Array) => b.slice(0, n);
const set = (at: number, ...v: number[]) => (b: Uint8Array) => {
  b.set(v, at);
  return b;
};
const append = (...v: number[]) => (b: Uint8Array) => new Uint8Array([...b, ...v]);

const RM = SAMPLES['route-monitoring'];
const PU = SAMPLES['peer-up v4'];
const openLen = encodeBgpMessage(open(65001, '10.0.0.1'), { as4: true }).length;
const PU_OPEN = 42 + 20; // offset of the sent OPEN in the Peer Up body

// [name, message bytes, code, offset in the message]
const BAD: [string, Uint8Array, string, number][] = [
  ['empty', new Uint8Array(0), 'header-truncated', 0],
  ['header cut', new Uint8Array([3, 0, 0, 0]), 'header-truncated', 0],
  ['version 4', new Uint8Array([4, 0, 0, 0, 6, 4]), 'unsupported-version', 0],
  ['length 5', new Uint8Array([3, 0, 0, 0, 5, 4]), 'length-too-short', 1],
  ['length longer than the bytes', new Uint8Array([3, 0, 0, 0, 7, 4]), 'length-mismatch', 1],
  ['route monitoring: per-peer header cut', patched(RM, cut(41)), 'per-peer-header-truncated', 6],
  ['route monitoring: no UPDATE', patched(RM, cut(42)), 'rm-update-truncated', 48],
  ['route monitoring: UPDATE cut', patched(RM, cut(42 + 22)), 'rm-update-truncated', 48],
  ['route monitoring: UPDATE length too long', patched(RM, set(42 + 16, 0x10, 0)), 'rm-update-length', 64],
  ['route monitoring: UPDATE length too short', patched(RM, (b) => b.slice(0, b.length - 1)), 'rm-update-length', 64],
  ['route monitoring: bad marker', patched(RM, set(42 + 3, 0)), 'bad-marker', 51],
  ['route monitoring: a KEEPALIVE', patched(RM, set(42 + 18, 4)), 'rm-not-update', 66],
  ['stats: count cut', patched(SAMPLES.statistics, cut(44)), 'stats-count-truncated', 48],
  ['stats: stat header cut', patched(SAMPLES.statistics, cut(46 + 2)), 'stat-header-truncated', 52],
  ['stats: stat overrun', patched(SAMPLES.statistics, cut(46 + 4 + 3)), 'stat-overrun', 52],
  ['stats: trailing bytes', patched(SAMPLES.statistics, append(0)), 'stats-trailing', 100],
  ['peer down: no reason', patched(SAMPLES['peer-down 4'], cut(42)), 'peer-down-reason-truncated', 48],
  ['peer down 1: no NOTIFICATION', patched(SAMPLES['peer-down 1'], cut(43)), 'peer-down-notification-missing', 49],
  ['peer down 1: NOTIFICATION cut', patched(SAMPLES['peer-down 1'], cut(43 + 10)), 'header-truncated', 49],
  ['peer down 1: NOTIFICATION body cut', patched(SAMPLES['peer-down 1'], (b) => b.slice(0, b.length - 1)), 'message-truncated', 49],
  ['peer down 1: a KEEPALIVE', patched(SAMPLES['peer-down 1'], (b) => new Uint8Array([...b.slice(0, 43), ...encodeBgpMessage({ kind: 'keepalive' }, { as4: true })])), 'peer-down-not-notification', 49],
  ['peer down 1: trailing bytes', patched(SAMPLES['peer-down 1'], append(0)), 'peer-down-trailing', 49 + 23],
  ['peer down 2: FSM event cut', patched(SAMPLES['peer-down 2'], cut(44)), 'peer-down-fsm-length', 49],
  ['peer down 2: FSM event too long', patched(SAMPLES['peer-down 2'], append(0)), 'peer-down-fsm-length', 49],
  ['peer down 6: TLV header cut', patched(SAMPLES['peer-down 6'], cut(43 + 3)), 'tlv-header-truncated', 49],
  ['peer down 6: TLV overrun', patched(SAMPLES['peer-down 6'], cut(43 + 5)), 'tlv-overrun', 49],
  ['peer up: addresses cut', patched(PU, cut(42 + 19)), 'peer-up-truncated', 48],
  ['peer up: no OPEN', patched(PU, cut(PU_OPEN)), 'peer-up-open-truncated', 6 + PU_OPEN],
  ['peer up: OPEN header cut', patched(PU, cut(PU_OPEN + 18)), 'peer-up-open-truncated', 6 + PU_OPEN],
  ['peer up: sent message not an OPEN', patched(PU, set(PU_OPEN + 18, 4)), 'peer-up-not-open', 6 + PU_OPEN + 18],
  ['peer up: OPEN length too short', patched(PU, set(PU_OPEN + 16, 0, 28)), 'peer-up-open-length', 6 + PU_OPEN + 16],
  ['peer up: received OPEN cut', patched(PU, cut(PU_OPEN + openLen + 40)), 'peer-up-open-overrun', 6 + PU_OPEN + openLen + 16],
  ['peer up: OPEN bad marker', patched(PU, set(PU_OPEN, 0)), 'bad-marker', 6 + PU_OPEN],
  ['peer up: info TLV cut', patched(PU, append(0, 0, 0)), 'tlv-header-truncated', 6 + PU_OPEN + 2 * openLen],
  ['initiation: TLV header cut', patched(SAMPLES.initiation, cut(3)), 'tlv-header-truncated', 6],
  ['initiation: TLV overrun', patched(SAMPLES.initiation, cut(6)), 'tlv-overrun', 6],
  ['termination: TLV overrun', patched(SAMPLES.termination, append(0, 1, 0, 9, 0)), 'tlv-overrun', 6 + 7 + 6],
  ['route mirroring: per-peer header cut', patched(SAMPLES['route-mirroring'], cut(20)), 'per-peer-header-truncated', 6],
  ['route mirroring: TLV overrun', patched(SAMPLES['route-mirroring'], append(0, 0, 0, 4)), 'tlv-overrun', 6 + 42 + 6],
];

for (const [name, bytes, code, offset] of BAD) {
  test(`bad input: ${name} -> ${code}`, () => {
    assert.throws(
      () => decodeBmpMessage(bytes),
      (e: unknown) => {
        assert.ok(e instanceof DecodeError, `not a DecodeError: ${e}`);
        assert.equal(e.code, code, e.message);
        assert.equal(e.offset, offset, e.message);
        return true;
      },
    );
  });
}

test('withdraw-only and End-of-RIB UPDATEs round trip', () => {
  const w = withdrawMsg(peerHeader(), ['198.51.100.0/24']);
  assert.deepEqual(decodeBmpMessage(encodeBmpMessage(w)), w);
  const eor = announceMsg(peerHeader(), [], []);
  if (eor.kind !== 'route-monitoring') return;
  const e = { ...eor, update: encodeBgpMessage(update({}), { as4: true }) };
  assert.equal(decodeBmpMessage(encodeBmpMessage(e)).kind, 'route-monitoring');
});
