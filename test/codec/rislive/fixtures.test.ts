// Real RIS Live frames from ../shared/fixtures (SOURCES.md section 5), decoded with exact
// expected values. The counts for 20-msg (39 announced prefixes, 17 messages from IPv6
// peers, 2 with an aggregator) are SOURCES.md's, counted independently of this decoder.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRisLiveFrame, decodeRisLiveMessage } from '../../../src/codec/rislive/index.ts';
import type { FeedEvent } from '../../../src/model/feed-event.ts';
import { formatPrefix } from '../../../src/model/prefix.ts';
import { needFixture } from '../../helpers/requirements.ts';
import { lines, summary } from './util.ts';

const RECEIVED = 1_700_000_000_000;

function decodeFile(path: string): FeedEvent[][] {
  return lines(path).map((l) => decodeRisLiveMessage(l, RECEIVED));
}

test('1-msg: one rrc19 announcement, every field', (t) => {
  const f = needFixture(t, 'rislive-morrowc/1-msg.jsonl');
  if (!f) return;
  const [events] = decodeFile(f);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.kind, 'route');
  if (e.kind !== 'route' || e.event.kind !== 'announce') return;
  const r = e.event;
  assert.equal(r.source, 'ris-live');
  assert.equal(r.router, 'rrc19');
  assert.equal(r.table, 'adj-rib-in-pre');
  assert.equal(r.peer.asn, 57695); // "57695" on the wire
  assert.equal(r.time, 1558620047080);
  assert.equal(r.received, RECEIVED);
  assert.equal(formatPrefix(r.prefix), '196.50.70.0/24');
  assert.deepEqual(r.attrs.asPath, [57695, 37650]);
  assert.equal(r.attrs.origin, 'igp');
  assert.deepEqual(r.attrs.communities, ['57695:12000', '57695:12001']);
  assert.deepEqual(r.attrs.largeCommunities, []);
  assert.equal(r.attrs.med, undefined);
  assert.equal(summary(e), 'A rrc19 196.60.9.165 AS57695 196.50.70.0/24 nh=196.60.9.165 path=57695 37650 origin=igp comm=57695:12000,57695:12001');
});

test('10-msg: 8 announcements, 2 withdrawals; global+link-local pairs give one route with the global hop', (t) => {
  const f = needFixture(t, 'rislive-morrowc/10-msg.jsonl');
  if (!f) return;
  const perMsg = decodeFile(f);
  assert.equal(perMsg.length, 10);
  assert.deepEqual(perMsg.map((es) => es.length), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(perMsg.flat().map(summary), [
    'A rrc19 196.60.9.165 AS57695 196.50.70.0/24 nh=196.60.9.165 path=57695 37650 origin=igp comm=57695:12000,57695:12001',
    'A rrc19 2001:43f8:6d0::9:165 AS57695 2c0f:fe30::/32 nh=2001:43f8:6d0::9:165 path=57695 30844 37006 origin=igp comm=0:6939,0:37035,0:37364,0:37457,30844:250,57695:12000,57695:12002',
    'W rrc19 2001:43f8:6d0::9:165 AS57695 2001:7fb:fe0d::/48',
    'A rrc19 2001:43f8:6d0::9:165 AS57695 2001:7fb:fe13::/48 nh=2001:43f8:6d0::9:165 path=57695 6939 1299 37271 12654 origin=igp comm=57695:12000,57695:12002',
    'A rrc07 194.68.123.226 AS24482 187.188.66.0/24 nh=194.68.123.226 path=24482 6453 17072 22884 origin=igp med=8003 comm=6453:50,6453:1000,6453:1400,6453:1406,24482:1,24482:13020,24482:13021,24482:20300,24482:64601',
    'A rrc07 2001:7f8:d:ff::226 AS24482 2001:7fb:fe04::/48 nh=2001:7f8:d:ff::226 path=24482 6453 174 513 513 12654 origin=igp med=2004 comm=6453:86,6453:1000,6453:1400,6453:1402,6453:2000,6453:4000,24482:1,24482:12020,24482:12021,24482:20200,24482:20300,24482:64601',
    'A rrc07 194.68.123.226 AS24482 84.205.64.0/24 nh=194.68.123.226 path=24482 174 12654 origin=igp comm=174:21101,174:22010,24482:1,24482:12010,24482:12011,24482:20200,24482:64605',
    'W rrc07 2001:7f8:d:ff::226 AS24482 2001:7fb:fe04::/48',
    'A rrc07 194.68.123.226 AS24482 41.217.216.0/22 nh=194.68.123.226 path=24482 37187 origin=igp comm=0:6453,0:6939,0:12989,6777:65011,6777:65023,24482:2,24482:12010,24482:12011,24482:65202,37187:51601',
    'A rrc07 2001:7f8:d:ff::226 AS24482 2001:7fb:fe04::/48 nh=2001:7f8:d:ff::226 path=24482 6453 174 513 513 12654 origin=igp comm=6453:86,6453:1000,6453:1300,6453:1305,24482:1,24482:12010,24482:12011,24482:20300,24482:64601',
  ]);
  const v6Peers = perMsg.filter((es) => es[0].kind === 'route' && es[0].event.peer.address.family === 6);
  assert.equal(v6Peers.length, 6); // SOURCES.md: 6 from IPv6 peers
});

test('20-msg: 39 announced prefixes, 17 messages from IPv6 peers, 2 aggregators', (t) => {
  const f = needFixture(t, 'rislive-morrowc/20-msg.jsonl');
  if (!f) return;
  const perMsg = decodeFile(f);
  assert.equal(perMsg.length, 20);
  const all = perMsg.flat();
  assert.ok(all.every((e) => e.kind === 'route' && e.event.kind === 'announce'), 'only announcements');
  assert.equal(all.length, 39);
  const fromV6 = perMsg.filter((es) => es[0].kind === 'route' && es[0].event.peer.address.family === 6);
  assert.equal(fromV6.length, 17);
  assert.equal(fromV6.flat().length, 31);
  const withAgg = all.map(summary).filter((s) => s.includes(' agg='));
  assert.deepEqual(withAgg, [
    'A rrc00 2a02:38::2 AS6881 2620:4:a000::/48 nh=2a02:38::2 path=6881 6939 7018 16539 origin=igp agg=16539:12.245.157.78',
    // An IPv4 peer announcing an IPv6 prefix with an IPv6 next hop.
    'A rrc00 139.28.99.99 AS35619 2a04:48c0::/29 nh=2a09:4c0:1:8b1c::6363 path=35619 29632 29049 28787 origin=igp comm=29632:3,29632:65404,65101:1085,65102:1000,65103:276,65104:150 agg=28787:172.16.100.1',
  ]);
  const prefixes = all.map((e) => (e.kind === 'route' ? formatPrefix(e.event.prefix) : ''));
  assert.deepEqual(prefixes, [
    '2620:3:a000::/48', '2620:4:4000::/48', '2620:4:a000::/48', '2620:4:c000::/48', '2620:6:2000::/44',
    '2620:6:2001::/48', '2620:6:2002::/48', '2620:6:200d::/48', '2620:6:200e::/48', '2620:6:2003::/48',
    '2620:7:6000::/48', '2620:7:6001::/48', '2620:8:8200::/48', '2620:8:c100::/48', '2803:d000:fffe::/48',
    '45.230.137.0/24', '45.230.138.0/23', '45.230.136.0/23', '45.230.138.0/24', '45.230.139.0/24', '45.230.136.0/24',
    '2620:9:6000::/48', '2620:9:a005::/48', '2620:9:a00c::/48', '2620:9:a00e::/48',
    '45.230.137.0/24', '45.230.138.0/23', '45.230.136.0/23', '45.230.138.0/24', '45.230.139.0/24', '45.230.136.0/24',
    '2a04:48c0::/29', '201.158.20.0/22', '2620:9:a00d::/48', '2620:9:a00f::/48', '2620:9:c000::/48',
    '2620:a::/48', '2620:a:d::/48', '2620:a:1::/48',
  ]);
  assert.equal(
    summary(perMsg[13][0]),
    'A rrc15 2001:12f8::223:128 AS61597 45.230.137.0/24 nh=45.182.104.1 path=61597 61832 265294 265294 265294 265294 265294 267161 267161 267161 267161 267161 origin=igp comm=26162:61832,26162:65011,26162:65111,26162:65132,26162:65181',
  );
  const first = perMsg[0][0];
  assert.ok(first.kind === 'route', `the first frame should be a route, got ${first.kind}`);
  assert.equal(first.event.time, 1573622213110);
});

test('fail-as-set: AS_SET as a nested array, global + link-local next hops -> one route', (t) => {
  const f = needFixture(t, 'rislive-morrowc/fail-as-set.jsonl');
  if (!f) return;
  const perMsg = decodeFile(f);
  assert.equal(perMsg.length, 1);
  const [e] = perMsg[0];
  assert.equal(perMsg[0].length, 1);
  assert.ok(e.kind === 'route' && e.event.kind === 'announce', 'expected a route frame carrying an announce');
  assert.deepEqual(e.event.attrs.asPath, [2497, 6453, 18705, 26281, [13340]]);
  assert.equal(e.event.attrs.origin, 'incomplete');
  assert.equal(
    summary(e),
    'A rrc11 2001:504:1::a500:2497:1 AS2497 2607:ffc0:1000::/36 nh=2001:504:1::a500:2497:1 path=2497 6453 18705 26281 {13340} origin=incomplete agg=26281:10.1.0.33',
  );
});

test('libbgpstream stream: UPDATE, peer state, ris_error, OPEN/NOTIFICATION/KEEPALIVE, truncated last line', (t) => {
  const f = needFixture(t, 'libbgpstream/ris-live-stream.json');
  if (!f) return;
  const frames = lines(f).map((l) => decodeRisLiveFrame(l, RECEIVED));
  assert.equal(frames.length, 7);
  assert.deepEqual(frames.map((fr) => (fr.kind === 'message' ? `${fr.kind}:${fr.type}:${fr.handled}` : fr.kind)), [
    'message:UPDATE:true',
    'message:RIS_PEER_STATE:true',
    'ris-error',
    'message:OPEN:false',
    'message:NOTIFICATION:false',
    'message:KEEPALIVE:false',
    'invalid',
  ]);
  assert.deepEqual(frames[0].events.map(summary), [
    'A rrc00 72.22.223.9 AS11708 45.161.192.0/23 nh=72.22.223.9 path=11708 32097 1299 52320 263009 263009 263009 263009 263009 52993 268481 268481 origin=igp',
  ]);
  const down = frames[1].events[0];
  assert.equal(summary(down), 'peer-down rrc01 195.66.224.59 AS24931');
  assert.ok(down.kind === 'peer-down', `expected a peer-down frame, got ${down.kind}`);
  assert.equal(down.time, 1553625081880);
  assert.equal(down.table, undefined); // every table of that peer
  assert.ok(frames[2].kind === 'ris-error', `the third frame should be a ris-error, got ${frames[2].kind}`);
  assert.equal(frames[2].message, 'this is a test error message');
  const err = frames[2].events[0];
  assert.ok(err.kind === 'decode-error', `expected a decode-error event, got ${err.kind}`);
  assert.equal(err.problem.code, 'ris-error');
  assert.match(err.problem.message, /this is a test error message/);
  for (const i of [3, 4, 5]) assert.deepEqual(frames[i].events, []);
  const bad = frames[6].events[0];
  assert.ok(bad.kind === 'decode-error', `a malformed frame should decode to a decode-error, got ${bad.kind}`);
  assert.equal(bad.problem.code, 'invalid-json');
  assert.equal(bad.problem.layer, 'rislive');
  assert.equal(bad.time, RECEIVED);
});

test('2018 beta format: every line reported as legacy-format, nothing decoded', (t) => {
  const f = needFixture(t, 'libbgpstream/ris-live-stream.2018-beta-format.json');
  if (!f) return;
  const perMsg = decodeFile(f);
  assert.equal(perMsg.length, 7);
  assert.deepEqual(perMsg.flat().map(summary), [
    'error rrc13 legacy-format',
    'error rrc21 legacy-format',
    'error rrc00 legacy-format',
    'error rrc00 legacy-format',
    'error rrc21 legacy-format',
    'error rrc21 legacy-format',
    'error rrc21 legacy-format',
  ]);
});
