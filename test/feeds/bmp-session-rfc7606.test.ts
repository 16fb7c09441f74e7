// BMP session, RFC 7606 section 4: an attribute running past an attributes block that
// fits the UPDATE is treat-as-withdraw. The prefixes the session can still locate (IPv4
// NLRI, MP_REACH decoded before the cut) are withdrawn, so no stale route stays in the RIB.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BmpMessage } from '../../src/codec/bmp/index.ts';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { Rib } from '../../src/rib/rib.ts';
import { addr, announceMsg, bytesOf, initiation, peerHeader, peerUp } from '../codec/bmp/util.ts';

function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, '');
  return new Uint8Array(t.length / 2).map((_, i) => Number.parseInt(t.slice(2 * i, 2 * i + 2), 16));
}

/** A Route Monitoring carrying an UPDATE built from raw attribute and NLRI bytes. */
function rawUpdate(peer: ReturnType<typeof peerHeader>, attrs: string, nlri: string): BmpMessage {
  const a = hex(attrs);
  const n = hex(nlri);
  const len = 19 + 4 + a.length + n.length;
  const update = new Uint8Array([...new Uint8Array(16).fill(0xff), len >> 8, len & 255, 2, 0, 0, a.length >> 8, a.length & 255, ...a, ...n]);
  return { kind: 'route-monitoring', peer, update };
}

const ORIGIN = '40 01 01 00';
const AS_PATH = '40 02 06 02 01 0000fdea';
const NEXT_HOP = '40 03 04 c0000202';
const MP_V6 = '80 0e 1a 0002 01 10 20010db8000000000000000000000002 00 20 20010db8';

test('BMP: an attribute overrunning the block withdraws the IPv4 NLRI and the MP_REACH before it', () => {
  const p = peerHeader({ asn: 65002 });
  const good = rawUpdate(p, `${ORIGIN} ${AS_PATH} ${NEXT_HOP} ${MP_V6}`, '18 c63364');
  // Same prefixes; a COMMUNITIES attribute claims 8 bytes, 4 are left in the block.
  const broken = rawUpdate(p, `${ORIGIN} ${AS_PATH} ${NEXT_HOP} ${MP_V6} c0 08 08 0000fde9`, '18 c63364');
  const session = new BmpSession('r', { clock: () => 42 });
  const events: FeedEvent[] = [];
  session.feed(bytesOf(initiation('Cisco IOS XR', 'r1'), peerUp(p, 65001), good, broken), events);
  const rib = new Rib();
  for (const e of events) rib.apply(e);

  const rs = events.flatMap((e) => (e.kind === 'route' ? [`${e.event.kind} ${formatPrefix(e.event.prefix)}`] : []));
  assert.deepEqual(rs, ['announce 198.51.100.0/24', 'announce 2001:db8::/32', 'withdraw 198.51.100.0/24', 'withdraw 2001:db8::/32']);
  const problems = events.flatMap((e) => (e.kind === 'decode-error' ? [e.problem.code] : []));
  assert.deepEqual(problems, ['attr-overrun'], 'the overrun is reported, once');
  assert.equal(events.some((e) => e.kind === 'end-of-rib'), false, 'no End-of-RIB');
  assert.equal(rib.ourRoute(addr('198.51.100.1'), 'r'), undefined, 'no stale IPv4 route');
  assert.equal(rib.ourRoute(addr('2001:db8::1'), 'r'), undefined, 'no stale IPv6 route');
});

test('BMP: a cut attributes block with no NLRI is not an End-of-RIB', () => {
  const p = peerHeader({ asn: 65002 });
  const session = new BmpSession('r', { clock: () => 42 });
  const events: FeedEvent[] = [];
  session.feed(bytesOf(initiation('Cisco IOS XR', 'r1'), peerUp(p, 65001), announceMsg(p, ['198.51.100.0/24'], [65002]), rawUpdate(p, '40 01', '')), events);
  assert.deepEqual(
    events.map((e) => (e.kind === 'decode-error' ? `decode-error ${e.problem.code}` : e.kind)),
    ['router-up', 'peer-up', 'route', 'decode-error attr-header-truncated'],
  );
});
