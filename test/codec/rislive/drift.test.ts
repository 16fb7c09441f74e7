// The format drift RIS Live has shown (and cheap insurance against more), then a table of
// wrong shapes: each gives its own decode-error code, never an exception, and RFC 7606's
// action (treat-as-withdraw or attribute-discard) where an announcement was spoilt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRisLiveFrame, decodeRisLiveMessage } from '../../../src/codec/rislive/index.ts';
import { summary } from './util.ts';

const BASE = {
  timestamp: 1700000000.5,
  peer: '192.0.2.1',
  peer_asn: '64500',
  id: 'x',
  host: 'rrc00',
  type: 'UPDATE',
  path: [64500, 64501, [64502, 64503]],
  community: [[64500, 1]],
  origin: 'igp',
  announcements: [{ next_hop: '192.0.2.1', prefixes: ['198.51.100.0/24'] }],
};

function frame(data: Record<string, unknown>, drop: string[] = []): string {
  const d: Record<string, unknown> = { ...BASE, ...data };
  for (const k of drop) delete d[k];
  return JSON.stringify({ type: 'ris_message', data: d });
}

function decoded(text: string): string[] {
  return decodeRisLiveMessage(text, 1).map(summary);
}

const OK = 'A rrc00 192.0.2.1 AS64500 198.51.100.0/24 nh=192.0.2.1 path=64500 64501 {64502,64503} origin=igp comm=64500:1';

test('drift: equivalent spellings decode to the same event', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['host with .ripe.net', { host: 'rrc00.ripe.net' }, OK],
    ['host upper-case', { host: 'RRC00' }, OK],
    ['peer_asn as a number', { peer_asn: 64500 }, OK],
    ['peer_asn as a string', { peer_asn: '64500' }, OK],
    ['origin upper-case', { origin: 'IGP' }, OK],
    ['origin mixed case', { origin: 'Incomplete' }, OK.replace('origin=igp', 'origin=incomplete')],
    ['timestamp as a numeric string', { timestamp: '1700000000.5' }, OK],
    ['next hop "global,link-local"', { announcements: [{ next_hop: '2001:db8::1,fe80::1', prefixes: ['198.51.100.0/24'] }] }, OK.replace('nh=192.0.2.1', 'nh=2001:db8::1')],
    ['next hop "link-local,global"', { announcements: [{ next_hop: 'fe80::1,2001:db8::1', prefixes: ['198.51.100.0/24'] }] }, OK.replace('nh=192.0.2.1', 'nh=2001:db8::1')],
    ['link-local announcement first', { announcements: [{ next_hop: 'fe80::1', prefixes: ['198.51.100.0/24'] }, { next_hop: '2001:db8::1', prefixes: ['198.51.100.0/24'] }] }, OK.replace('nh=192.0.2.1', 'nh=2001:db8::1')],
    ['host bits set in a prefix', { announcements: [{ next_hop: '192.0.2.1', prefixes: ['198.51.100.7/24'] }] }, OK],
  ];
  for (const [name, data, want] of cases) assert.deepEqual(decoded(frame(data)), [want], name);
});

test('drift: withdrawals with an empty path (and no attributes) are plain withdrawals', () => {
  const text = frame({ path: [], community: [], withdrawals: ['198.51.100.0/24', '2001:db8::/32'] }, ['announcements', 'origin']);
  assert.deepEqual(decoded(text), ['W rrc00 192.0.2.1 AS64500 198.51.100.0/24', 'W rrc00 192.0.2.1 AS64500 2001:db8::/32']);
  // And with "announcements": [] as some versions send.
  assert.deepEqual(decoded(frame({ path: [], withdrawals: ['198.51.100.0/24'], announcements: [] })), ['W rrc00 192.0.2.1 AS64500 198.51.100.0/24']);
});

test('withdrawals come before announcements of the same UPDATE; med, large communities, aggregator', () => {
  const text = frame({ withdrawals: ['203.0.113.0/24'], med: 0, large_community: [[64500, 1, 2]], aggregator: '64503:192.0.2.9' });
  assert.deepEqual(decoded(text), [
    'W rrc00 192.0.2.1 AS64500 203.0.113.0/24',
    `${OK.replace(' comm=', ' med=0 comm=')} large=64500:1:2 agg=64503:192.0.2.9`,
  ]);
});

test('RIS_PEER_STATE: down -> peer-down with the reason, connected -> peer-up', () => {
  const down = decodeRisLiveMessage(frame({ type: 'RIS_PEER_STATE', state: 'down', reason: 'hold timer expired' }), 1);
  assert.equal(down.length, 1);
  assert.ok(down[0].kind === 'peer-down', `expected a peer-down frame, got ${down[0].kind}`);
  assert.equal(down[0].reason, 'ris-peer-state down: hold timer expired');
  assert.equal(down[0].time, 1700000000500);
  const up = decodeRisLiveMessage(frame({ type: 'RIS_PEER_STATE', state: 'connected' }), 1);
  assert.deepEqual(up.map(summary), ['peer-up rrc00 192.0.2.1 AS64500']);
  assert.deepEqual(decoded(frame({ type: 'RIS_PEER_STATE', state: 'weird' })), ['error rrc00 unknown-peer-state']);
});

test('wrong shapes: a specific code each, treat-as-withdraw or attribute-discard as RFC 7606 says', () => {
  const W = 'W rrc00 192.0.2.1 AS64500 198.51.100.0/24';
  const cases: [string, string, string[]][] = [
    ['not JSON', '{"type":"ris_message",', ['error ris-live invalid-json']],
    ['empty text', '', ['error ris-live invalid-json']],
    ['JSON array', '[1,2]', ['error ris-live not-an-object']],
    ['JSON null', 'null', ['error ris-live not-an-object']],
    ['no type', '{}', ['error ris-live missing-field']],
    ['unknown type', '{"type":"ris_something_new"}', ['error ris-live unknown-type']],
    ['ris_message without data', '{"type":"ris_message"}', ['error ris-live missing-field']],
    ['data.type missing', frame({}, ['type']), ['error ris-live missing-field']],
    ['host missing', frame({}, ['host']), ['error ris-live missing-field']],
    ['peer missing', frame({}, ['peer']), ['error rrc00 missing-field']],
    ['peer not an address', frame({ peer: 'router1' }), ['error rrc00 bad-peer']],
    ['peer_asn missing', frame({}, ['peer_asn']), ['error rrc00 missing-field']],
    ['peer_asn "AS64500"', frame({ peer_asn: 'AS64500' }), ['error rrc00 bad-peer-asn']],
    ['peer_asn too big', frame({ peer_asn: '4294967296' }), ['error rrc00 bad-peer-asn']],
    ['timestamp missing', frame({}, ['timestamp']), ['error rrc00 missing-field']],
    ['timestamp text', frame({ timestamp: 'soon' }), ['error rrc00 bad-timestamp']],
    ['timestamp beyond milliseconds precision', frame({ timestamp: 1.8e305 }), ['error rrc00 bad-timestamp']],
    ['timestamp negative', frame({ timestamp: -1 }), ['error rrc00 bad-timestamp']],
    ['path missing on an announcement', frame({}, ['path']), ['error rrc00 missing-field', W]],
    ['path with a string', frame({ path: [64500, '64501'] }), ['error rrc00 bad-path', W]],
    ['path with an empty AS_SET', frame({ path: [64500, []] }), ['error rrc00 bad-path', W]],
    ['origin unknown', frame({ origin: 'bgp' }), ['error rrc00 bad-origin', W]],
    ['med negative', frame({ med: -1 }), ['error rrc00 bad-med', W]],
    ['community not a pair', frame({ community: [[64500]] }), ['error rrc00 bad-community', W]],
    ['community value > 65535', frame({ community: [[64500, 70000]] }), ['error rrc00 bad-community', W]],
    ['large community a pair', frame({ large_community: [[1, 2]] }), ['error rrc00 bad-large-community', W]],
    ['next hop not an address', frame({ announcements: [{ next_hop: 'zz', prefixes: ['198.51.100.0/24'] }] }), ['error rrc00 bad-next-hop', W]],
    ['aggregator not asn:address', frame({ aggregator: '64500' }), ['error rrc00 bad-aggregator', OK]],
    ['one bad prefix among good ones', frame({ announcements: [{ next_hop: '192.0.2.1', prefixes: ['nope', '198.51.100.0/24'] }] }), ['error rrc00 bad-prefix', OK]],
    ['prefix length too long', frame({ withdrawals: ['198.51.100.0/33'], announcements: [] }), ['error rrc00 bad-prefix']],
    ['withdrawals not an array', frame({ withdrawals: '198.51.100.0/24', announcements: [] }), ['error rrc00 bad-field']],
    ['announcements not an array', frame({ announcements: {} }), ['error rrc00 bad-field']],
    ['announcement not an object', frame({ announcements: [null] }), ['error rrc00 bad-field']],
  ];
  for (const [name, text, want] of cases) assert.deepEqual(decoded(text), want, name);
});

test('server frames: ris_error, ris_subscribe_ok, pong; session chatter ignored', () => {
  const err = decodeRisLiveFrame('{"type":"ris_error","data":{"message":"Unknown RIS host: rrc99"}}', 5);
  assert.ok(err.kind === 'ris-error', `expected a ris-error frame, got ${err.kind}`);
  assert.equal(err.message, 'Unknown RIS host: rrc99');
  assert.equal(err.events.length, 1);
  assert.ok(err.events[0].kind === 'decode-error' && err.events[0].problem.code === 'ris-error', 'a ris-error frame should carry one decode-error event with code ris-error');
  assert.equal(err.events[0].time, 5);
  assert.equal(decodeRisLiveFrame('{"type":"ris_error"}', 5).kind, 'ris-error');
  const ok = decodeRisLiveFrame('{"type":"ris_subscribe_ok","data":{"subscription":{"host":"rrc00"}}}', 5);
  assert.equal(ok.kind, 'subscribe-ok');
  assert.deepEqual(ok.events, []);
  assert.equal(decodeRisLiveFrame('{"type":"pong","data":null}', 5).kind, 'pong');
  for (const type of ['OPEN', 'NOTIFICATION', 'KEEPALIVE', 'SOMETHING_NEW']) {
    const f = decodeRisLiveFrame(frame({ type }), 5);
    assert.ok(f.kind === 'message' && !f.handled, type);
    assert.deepEqual(f.events, []);
  }
});
