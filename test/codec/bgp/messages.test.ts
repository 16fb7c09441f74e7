// Whole messages: hand-built real-world vectors, framing, and a table of bad inputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cursor } from '../../../src/codec/cursor.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { decodeBgpMessage, encodeBgpMessage, readBgpMessage, splitBgpMessage } from '../../../src/codec/bgp/message.ts';
import { decodeOpen } from '../../../src/codec/bgp/open.ts';
import { decodeUpdate } from '../../../src/codec/bgp/update.ts';
import type { DecodeContext, OpenMessage, UpdateMessage } from '../../../src/codec/bgp/types.ts';
import { addr, cur, hex, pfx } from './util.ts';

const M = 'ffffffffffffffffffffffffffffffff';
const AS4: DecodeContext = { as4: true };

// FRR-style OPEN: AS_TRANS in My AS, hold 180, id 10.0.0.1; caps: MP IPv4 unicast, route
// refresh, 4-octet AS 4200000001, ADD-PATH IPv4 unicast receive, FQDN (73, kept raw).
const OPEN_HEX = `${M} 0041 01  04 5ba0 00b4 0a000001 24
  02 22 01 04 0001 00 01  02 00  41 04 fa56ea01  45 04 0001 01 01  49 0c 06 726f757465 72 00 00 00 00 00`;

test('OPEN with capabilities', () => {
  const bytes = hex(OPEN_HEX);
  const m = decodeBgpMessage(bytes, AS4) as OpenMessage;
  assert.equal(m.kind, 'open');
  assert.deepEqual([m.version, m.myAs, m.holdTime], [4, 23456, 180]);
  assert.deepEqual(m.bgpId, addr('10.0.0.1'));
  assert.deepEqual(
    m.capabilities.map((c) => c.value.kind),
    ['multiprotocol', 'route-refresh', 'as4', 'add-path', 'unknown'],
  );
  assert.deepEqual(m.capabilities[2].value, { kind: 'as4', asn: 4200000001 });
  assert.deepEqual(m.capabilities[3].value, { kind: 'add-path', entries: [{ afi: 1, safi: 1, sendReceive: 1 }] });
  assert.equal(m.capabilities[4].code, 73);
  assert.deepEqual(encodeBgpMessage(m, AS4), bytes);
});

test('OPEN with RFC 9072 extended optional parameters', () => {
  const body = hex('04 fde9 005a c0000201  ff ff 000b  02 0008 41 04 0000fde9 02 00');
  const m = decodeOpen(new Cursor(body));
  assert.deepEqual(m.capabilities.map((c) => c.value), [{ kind: 'as4', asn: 65001 }, { kind: 'route-refresh' }]);
  // Over 255 bytes of parameters, the encoder switches to the extended form and back decodes.
  const big: OpenMessage = { ...m, otherParams: [{ type: 9, raw: new Uint8Array(300).fill(7) }] };
  const bytes = encodeBgpMessage(big, AS4);
  assert.equal(bytes[28], 255);
  assert.equal(bytes[29], 255);
  assert.deepEqual(decodeBgpMessage(bytes, AS4), big);
});

test('UPDATE, IPv4 with AS4 merge over a 2-octet session', () => {
  const ctx: DecodeContext = { as4: false };
  const body = `0000 0023
    40 01 01 00
    40 02 08 02 03 fde9 5ba0 5ba0
    40 03 04 c0000201
    c0 11 0a 02 02 00030000 00030001
    18 cb0071  16 c63364`;
  const bytes = hex(`${M} ${(19 + hex(body).length).toString(16).padStart(4, '0')} 02 ${body}`);
  const m = decodeBgpMessage(bytes, ctx) as UpdateMessage;
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(m.nlri, [{ prefix: pfx('203.0.113.0/24') }, { prefix: pfx('198.51.100.0/22') }]);
  assert.deepEqual(encodeBgpMessage(m, ctx), bytes);
});

test('UPDATE with ADD-PATH on 1/1: withdrawn and NLRI carry path ids', () => {
  const ctx: DecodeContext = { as4: true, addPath: new Set(['1/1']) };
  const body = hex('0008 00000005 18 0a0000  0000  00000009 10 0a01');
  const m = decodeUpdate(new Cursor(body), ctx);
  assert.deepEqual(m.withdrawn, [{ prefix: pfx('10.0.0.0/24'), pathId: 5 }]);
  // NLRI without attributes: ORIGIN, AS_PATH and NEXT_HOP missing -> treat-as-withdraw.
  assert.deepEqual(m.nlri, [{ prefix: pfx('10.1.0.0/16'), pathId: 9 }]);
  assert.equal(m.treatAsWithdraw, true);
  assert.deepEqual(m.warnings.map((w) => w.code), ['missing-origin', 'missing-as-path', 'missing-next-hop']);
});

test('End-of-RIB (empty UPDATE), KEEPALIVE, NOTIFICATION, ROUTE-REFRESH', () => {
  const eor = decodeBgpMessage(hex(`${M} 0017 02 0000 0000`), AS4) as UpdateMessage;
  assert.deepEqual([eor.withdrawn, eor.attributes, eor.nlri, eor.warnings, eor.treatAsWithdraw], [[], [], [], [], false]);
  assert.deepEqual(decodeBgpMessage(hex(`${M} 0013 04`), AS4), { kind: 'keepalive' });
  // Cease / Administrative Shutdown with an RFC 9003 shutdown communication.
  const n = decodeBgpMessage(hex(`${M} 0019 03 06 02 03 627965`), AS4);
  assert.deepEqual(n, { kind: 'notification', code: 6, subcode: 2, data: hex('03627965') });
  assert.deepEqual(decodeBgpMessage(hex(`${M} 0017 05 0002 01 01`), AS4), { kind: 'route-refresh', afi: 2, subtype: 1, safi: 1 });
  const orf = decodeBgpMessage(hex(`${M} 001a 05 0001 00 01 01 0203`), AS4);
  assert.deepEqual(orf, { kind: 'route-refresh', afi: 1, subtype: 0, safi: 1, orf: hex('010203') });
  for (const m of [eor, n, orf, { kind: 'keepalive' } as const]) assert.deepEqual(decodeBgpMessage(encodeBgpMessage(m, AS4), AS4), m);
});

test('splitBgpMessage frames a stream, returns 0 when incomplete', () => {
  const ka = hex(`${M} 0013 04`);
  const open = hex(OPEN_HEX);
  const stream = new Uint8Array([...ka, ...open, ...ka.subarray(0, 10)]);
  assert.equal(splitBgpMessage(stream, 0, AS4), 19);
  assert.equal(splitBgpMessage(stream, 19, AS4), open.length);
  assert.equal(splitBgpMessage(stream, 19 + open.length, AS4), 0);
  assert.equal(splitBgpMessage(stream.subarray(0, 30), 19, AS4), 0);
  assert.equal(splitBgpMessage(stream, stream.length, AS4), 0);
  // readBgpMessage walks two messages in one buffer (as in a BMP Peer Up).
  const c = new Cursor(stream, 0, 19 + open.length);
  assert.equal(readBgpMessage(c, AS4).kind, 'keepalive');
  assert.equal(readBgpMessage(c, AS4).kind, 'open');
  assert.ok(c.atEnd, 'the cursor should be at the end of the message');
});

test('extended message (RFC 8654): a 5000-byte UPDATE needs ctx.extendedMessage', () => {
  const nlri = new Uint8Array(4960).fill(0); // 4960 x "0.0.0.0/0"
  const attrs = hex('40 01 01 00 40 02 00 40 03 04 0a000001');
  const body = new Uint8Array([0, 0, 0, attrs.length, ...attrs, ...nlri]);
  const len = 19 + body.length;
  const bytes = new Uint8Array([...hex(M), len >> 8, len & 255, 2, ...body]);
  assert.throws(() => decodeBgpMessage(bytes, AS4), (e: unknown) => e instanceof DecodeError && e.code === 'length-too-long');
  const m = decodeBgpMessage(bytes, { as4: true, extendedMessage: true }) as UpdateMessage;
  assert.equal(m.nlri.length, 4960);
  assert.equal(splitBgpMessage(bytes, 0, { as4: true, extendedMessage: true }), len);
});

// Each check has its own code. [name, hex, layer, code]
const BAD: [string, string, string, string][] = [
  ['header cut', 'ffffffff', 'bgp', 'header-truncated'],
  ['bad marker', `ffffffffffffffffffffffffffffff00 0013 04`, 'bgp', 'bad-marker'],
  ['length < 19', `${M} 0012 04`, 'bgp', 'length-too-short'],
  ['length > 4096', `${M} 1001 02`, 'bgp', 'length-too-long'],
  ['type 0', `${M} 0013 00`, 'bgp', 'bad-type'],
  ['type 6', `${M} 0013 06`, 'bgp', 'bad-type'],
  ['OPEN shorter than 29', `${M} 001c 01 04 fde9 00b4 0a000001`, 'bgp', 'length-for-type'],
  ['KEEPALIVE with a body', `${M} 0014 04 00`, 'bgp', 'length-for-type'],
  ['message longer than buffer', `${M} 0020 02 0000 0000`, 'bgp', 'message-truncated'],
  ['bytes after the message', `${M} 0013 04 00`, 'bgp', 'trailing-bytes'],
  ['OPEN params length mismatch', `${M} 001d 01 04 fde9 00b4 0a000001 05`, 'bgp', 'open-params-length'],
  ['OPEN param header cut', `${M} 001e 01 04 fde9 00b4 0a000001 01 02`, 'bgp', 'open-param-header-truncated'],
  ['OPEN param overruns', `${M} 001f 01 04 fde9 00b4 0a000001 02 02 05`, 'bgp', 'open-param-overrun'],
  ['OPEN extended length cut', `${M} 001f 01 04 fde9 00b4 0a000001 ff ff 00`, 'bgp', 'open-ext-params-truncated'],
  ['capability header cut', `${M} 0020 01 04 fde9 00b4 0a000001 03 02 01 41`, 'bgp', 'cap-header-truncated'],
  ['capability overruns', `${M} 0021 01 04 fde9 00b4 0a000001 04 02 02 41 04`, 'bgp', 'cap-overrun'],
  ['multiprotocol cap length 3', `${M} 0024 01 04 fde9 00b4 0a000001 07 02 05 01 03 000100`, 'bgp', 'cap-multiprotocol-length'],
  ['route refresh cap length 1', `${M} 0022 01 04 fde9 00b4 0a000001 05 02 03 02 01 00`, 'bgp', 'cap-route-refresh-length'],
  ['extended message cap length 1', `${M} 0022 01 04 fde9 00b4 0a000001 05 02 03 06 01 00`, 'bgp', 'cap-extended-message-length'],
  ['as4 cap length 2', `${M} 0023 01 04 fde9 00b4 0a000001 06 02 04 41 02 fde9`, 'bgp', 'cap-as4-length'],
  ['add-path cap length 3', `${M} 0024 01 04 fde9 00b4 0a000001 07 02 05 45 03 000101`, 'bgp', 'cap-add-path-length'],
  ['withdrawn length overruns', `${M} 0017 02 0005 0000`, 'bgp', 'withdrawn-overrun'],
  ['attributes length overruns', `${M} 0017 02 0000 0001`, 'bgp', 'attributes-overrun'],
  ['NOTIFICATION cut', `${M} 0014 03 06`, 'bgp', 'length-for-type'],
  ['ROUTE-REFRESH BoRR with extra bytes', `${M} 0018 05 0001 01 01 00`, 'bgp', 'route-refresh-length'],
];
for (const [name, h, layer, code] of BAD) {
  test(`bad message: ${name} -> ${layer}/${code}`, () => {
    assert.throws(
      () => decodeBgpMessage(hex(h), AS4),
      (e: unknown) => e instanceof DecodeError && e.layer === layer && e.code === code,
    );
  });
}

// RFC 7606 section 4: an attribute running past a block whose length fits the UPDATE is
// treat-as-withdraw, not a DecodeError: the NLRI field can still be located, and its
// prefixes (203.0.113.0/24 here) become withdrawals. [name, hex, type, code, attributes kept]
const FRAMING: [string, string, number, string, string[]][] = [
  ['attribute header cut', `${M} 001d 02 0000 0002 4001 18 cb0071`, 1, 'attr-header-truncated', []],
  ['attribute header cut before its type', `${M} 0020 02 0000 0005 40010100 40 18 cb0071`, 0, 'attr-header-truncated', ['origin']],
  ['extended attribute length cut', `${M} 001e 02 0000 0003 500200 18 cb0071`, 2, 'attr-length-truncated', []],
  ['attribute overruns the block', `${M} 001e 02 0000 0003 400105 18 cb0071`, 1, 'attr-overrun', []],
  ['attribute after ORIGIN overruns the block', `${M} 0023 02 0000 0008 40010100 40020600 18 cb0071`, 2, 'attr-overrun', ['origin']],
];
for (const [name, h, type, code, kept] of FRAMING) {
  test(`attribute framing: ${name} -> treat-as-withdraw (${code})`, () => {
    const m = decodeBgpMessage(hex(h), AS4) as UpdateMessage;
    assert.equal(m.kind, 'update', 'still an UPDATE, not a DecodeError');
    assert.deepEqual(
      m.warnings.map((w) => [w.kind, w.type, w.action, w.code, w.offset]),
      [['attr-warning', type, 'treat-as-withdraw', code, 23 + (kept.length > 0 ? 4 : 0)]],
    );
    assert.equal(m.treatAsWithdraw, true, 'treatAsWithdraw');
    assert.deepEqual(m.attributes.map((a) => a.kind), kept);
    assert.deepEqual(m.nlri, [{ prefix: pfx('203.0.113.0/24') }]);
  });
}

// Body decoders on their own catch what the header check cannot see.
const BAD_BODY: [string, (c: Cursor) => unknown, string, string][] = [
  ['OPEN body cut', (c) => decodeOpen(c), '04 fde9 00b4', 'open-truncated'],
  ['UPDATE body cut', (c) => decodeUpdate(c, AS4), '00 00 00', 'update-truncated'],
];
for (const [name, fn, h, code] of BAD_BODY) {
  test(`bad body: ${name} -> bgp/${code}`, () => {
    assert.throws(() => fn(cur(h)), (e: unknown) => e instanceof DecodeError && e.layer === 'bgp' && e.code === code);
  });
}

test('splitBgpMessage throws on a bad marker even before 19 bytes', () => {
  assert.throws(() => splitBgpMessage(hex('ffff00'), 0, AS4), (e: unknown) => e instanceof DecodeError && e.code === 'bad-marker');
  assert.throws(() => splitBgpMessage(hex(`${M} 0012 04`), 0, AS4), (e: unknown) => e instanceof DecodeError && e.code === 'length-too-short');
});
