// The per-router BMP session without sockets: events from real captures (cross-checked
// with pmacct's own decode), per-peer OPEN state (ADD-PATH, 4-octet AS), End-of-RIB,
// treat-as-withdraw, FRR 8.4's quirks, and independence from how TCP cut the stream.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { routeMonitoringOf } from '../../src/codec/bmp/index.ts';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import { formatAddress } from '../../src/model/address.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import type { RouteEvent } from '../../src/model/route-event.ts';
import { addr, announceMsg, attrs, bytesOf, initiation, peerHeader, peerUp, pfx, POST, update, withdrawMsg } from '../codec/bmp/util.ts';
import { tcpStreams } from '../helpers/pcap.ts';
import { needFixture, needLabSamplePath } from '../helpers/requirements.ts';

function run(bytes: Uint8Array, router = 'r', chunks?: number[]): { events: FeedEvent[]; session: BmpSession } {
  const session = new BmpSession(router, { clock: () => 42 });
  const events: FeedEvent[] = [];
  if (!chunks) session.feed(bytes, events);
  else {
    let p = 0;
    for (let i = 0; p < bytes.length; i++) {
      const n = chunks[i % chunks.length];
      session.feed(bytes.subarray(p, p + n), events);
      p += n;
    }
  }
  session.close('connection-closed', events);
  return { events, session };
}

const routes = (ev: FeedEvent[]): RouteEvent[] => ev.flatMap((e) => (e.kind === 'route' ? [e.event] : []));
const kinds = (ev: FeedEvent[]) => ev.map((e) => (e.kind === 'route' ? `${e.event.kind}` : e.kind));

test('FRR: the own-AS prepend is removed from eBGP Adj-RIB-In paths, nothing else is touched', () => {
  const ebgp = peerHeader({ asn: 65002 });
  const ibgp = peerHeader({ address: addr('192.0.2.9'), asn: 65001 });
  const local = peerHeader({ address: addr('0.0.0.0'), asn: 0, bgpId: addr('0.0.0.0'), flags: POST });
  const locRib = peerHeader({ peerType: 3, address: addr('0.0.0.0'), asn: 65001 });
  const msgs = [
    peerUp(ebgp, 65001),
    peerUp(ibgp, 65001),
    announceMsg(ebgp, ['198.51.100.0/24'], [65001, 65002, 65004]),
    announceMsg(peerHeader({ asn: 65002, flags: POST }), ['198.51.100.0/24'], [65001, 65002, 65004]),
    announceMsg(ebgp, ['203.0.113.0/24'], [65001, 65003, 65004]), // not [local, peer]: left alone
    announceMsg(ibgp, ['203.0.113.0/24'], [65001, 65002]), // iBGP: FRR does not prepend
    announceMsg(local, ['192.0.2.0/24'], []), // locally originated: post-policy, peer 0.0.0.0 AS 0
    announceMsg(locRib, ['192.0.2.0/24'], [65001, 65002]),
  ];
  const frr = routes(run(bytesOf(initiation('FRRouting 8.4.4', 'r1'), ...msgs)).events);
  assert.deepEqual(
    frr.map((r) => [r.table, formatAddress(r.peer.address), r.peer.asn, r.kind === 'announce' ? r.attrs.asPath : null]),
    [
      ['adj-rib-in-pre', '192.0.2.2', 65002, [65002, 65004]],
      ['adj-rib-in-post', '192.0.2.2', 65002, [65002, 65004]],
      ['adj-rib-in-pre', '192.0.2.2', 65002, [65001, 65003, 65004]],
      ['adj-rib-in-pre', '192.0.2.9', 65001, [65001, 65002]],
      ['adj-rib-in-post', '0.0.0.0', 0, []],
      ['loc-rib', '0.0.0.0', 65001, [65001, 65002]],
    ],
  );
  // Another vendor: paths as sent.
  const other = routes(run(bytesOf(initiation('Cisco IOS XR Software, Version 7.10.1', 'xr'), ...msgs)).events);
  assert.deepEqual(other[0].kind === 'announce' && other[0].attrs.asPath, [65001, 65002, 65004]);
});

test('FRR 8.4 lab capture: paths as the router received them, Peer Down and locally originated routes tolerated', (t) => {
  const path = needLabSamplePath(t, 'frr-8.4-r1.bmp');
  if (!path) return;
  const { events, session } = run(new Uint8Array(readFileSync(path)), 'r1', [1, 7, 100, 1500]);
  assert.equal(session.counters.decodeErrors, 0);
  assert.ok(session.counters.frrPrependsRemoved > 0, 'no FRR prepends were removed from the lab sample');
  for (const r of routes(events)) {
    if (r.kind !== 'announce' || r.peer.asn === 0) continue;
    assert.equal(r.attrs.asPath[0], r.peer.asn, `${formatPrefix(r.prefix)} from ${formatAddress(r.peer.address)}: ${r.attrs.asPath}`);
  }
  assert.ok(routes(events).some((r) => r.peer.asn === 0 && r.table === 'adj-rib-in-post'), 'locally originated routes');
  assert.equal(events[0].kind, 'router-up');
  assert.deepEqual(events[0].kind === 'router-up' && events[0].info, { sysDescr: 'FRRouting 8.4.4', sysName: 'r1' });
});

test('ADD-PATH follows the Peer Up OPENs per direction; without a Peer Up it is guessed from the bytes', () => {
  const p = peerHeader();
  const withIds = announceMsg(p, ['198.51.100.0/24', '203.0.113.0/24'], [65002], [1, 2]);
  // Router can receive, peer can send: Adj-RIB-In has path ids.
  let r = routes(run(bytesOf(initiation(), peerUp(p, 65001, { mine: 1, theirs: 2 }), withIds)).events);
  assert.deepEqual(r.map((e) => [formatPrefix(e.prefix), e.pathId]), [['198.51.100.0/24', 1], ['203.0.113.0/24', 2]]);
  // Adj-RIB-Out (O flag) needs the router's send side: here only receive was negotiated.
  const out = peerHeader({ flags: 0x10 });
  r = routes(run(bytesOf(initiation(), peerUp(p, 65001, { mine: 1, theirs: 2 }), announceMsg(out, ['198.51.100.0/24'], [65001, 65002]))).events);
  assert.deepEqual(r.map((e) => [e.table, formatPrefix(e.prefix), e.pathId]), [['adj-rib-out-pre', '198.51.100.0/24', undefined]]);
  // Stateless: no Peer Up, the ADD-PATH reading is found on the retry.
  r = routes(run(bytesOf(initiation(), withIds)).events);
  assert.deepEqual(r.map((e) => [formatPrefix(e.prefix), e.pathId]), [['198.51.100.0/24', 1], ['203.0.113.0/24', 2]]);
});

test('End-of-RIB, MP_UNREACH End-of-RIB, withdrawals, treat-as-withdraw, time from the per-peer header', () => {
  const p = peerHeader({ seconds: 1_700_000_000, microseconds: 250_999 });
  const eor4 = routeMonitoringOf(p, update({}), { as4: true });
  const eor6 = routeMonitoringOf(p, update({ attributes: [{ kind: 'mp-unreach', flags: 0x80, afi: 2, safi: 1, withdrawn: [], raw: undefined }] }), { as4: true });
  const noPath = routeMonitoringOf(p, update({ attributes: attrs([65002]).filter((a) => a.kind !== 'as-path'), nlri: [{ prefix: pfx('198.51.100.0/24') }] }), { as4: true });
  const untimed = announceMsg(peerHeader({ seconds: 0, microseconds: 0 }), ['203.0.113.0/24'], [65002]);
  const { events } = run(bytesOf(initiation(), eor4, eor6, withdrawMsg(p, ['192.0.2.0/24', '192.0.2.128/25']), noPath, untimed));
  assert.deepEqual(kinds(events), ['router-up', 'end-of-rib', 'end-of-rib', 'withdraw', 'withdraw', 'decode-error', 'withdraw', 'announce', 'router-down']);
  const eors = events.filter((e) => e.kind === 'end-of-rib');
  assert.deepEqual(eors.map((e) => e.kind === 'end-of-rib' && [e.afi, e.safi, e.time]), [[1, 1, 1_700_000_000_250], [2, 1, 1_700_000_000_250]]);
  const bad = events.find((e) => e.kind === 'decode-error');
  assert.equal(bad?.kind === 'decode-error' && bad.problem.code, 'missing-as-path');
  const last = routes(events).at(-1);
  assert.equal(last?.time, 42, 'a zero timestamp falls back to the receive clock');
  assert.equal(last?.received, 42);
});

test('Peer Down repeated while the peer retries is reported once; Termination ends the session', () => {
  const p = peerHeader();
  const down = { kind: 'peer-down' as const, peer: p, reason: 2, data: { kind: 'fsm-event' as const, event: 5 } };
  const term = { kind: 'termination' as const, tlvs: [{ type: 1, value: new Uint8Array([0, 0]) }] };
  const { events, session } = run(bytesOf(initiation(), peerUp(p), down, down, down, peerUp(p), down, term, announceMsg(p, ['10.0.0.0/8'], [65002])));
  assert.deepEqual(kinds(events), ['router-up', 'peer-up', 'peer-down', 'peer-up', 'peer-down', 'router-down']);
  assert.equal(session.counters.repeatedPeerDowns, 2);
  const rd = events.at(-1);
  assert.equal(rd?.kind === 'router-down' && rd.reason, 'termination: administratively closed');
});

test('lost framing ends the session with router-down framing-lost; a bad body does not', () => {
  const p = peerHeader();
  const good = bytesOf(initiation(), announceMsg(p, ['10.0.0.0/8'], [65002]));
  const badBody = new Uint8Array([3, 0, 0, 0, 10, 0, 1, 2, 3, 4]); // a Route Monitoring too short for its header
  const after = bytesOf(announceMsg(p, ['10.1.0.0/16'], [65002]));
  const badVersion = new Uint8Array([1, 0, 0, 0, 10, 0]);
  const { events } = run(new Uint8Array([...good, ...badBody, ...after, ...badVersion, ...after]));
  assert.deepEqual(kinds(events), ['router-up', 'announce', 'decode-error', 'announce', 'decode-error', 'router-down']);
  const err = events[2];
  assert.equal(err.kind === 'decode-error' && err.problem.code, 'per-peer-header-truncated');
  assert.equal(err.kind === 'decode-error' && err.problem.offset, good.length + 6, 'offset in the stream');
  const lost = events[4];
  assert.equal(lost.kind === 'decode-error' && lost.problem.code, 'unsupported-version');
  assert.equal(lost.kind === 'decode-error' && lost.problem.offset, good.length + badBody.length + after.length);
  const rd = events[5];
  assert.equal(rd.kind === 'router-down' && rd.reason, 'framing-lost: unsupported-version');
});

const CAPTURES: [string, Record<string, number>][] = [
  ['pmacct/204-BMP-CISCO-peer_down__traffic-00.pcap', { 'router-up': 1, 'peer-up': 10, announce: 49, withdraw: 23, 'end-of-rib': 14, stats: 28, 'peer-down': 3, 'router-down': 1 }],
  ['pmacct/200-BMP-HUAWEI-locrib_instance__traffic-00.pcap', { 'router-up': 1, 'peer-up': 18, announce: 5, 'end-of-rib': 2, 'router-down': 1 }],
  ['pmacct/201-BMP-CISCO-rd_instance__traffic-00.pcap', { 'router-up': 1, 'peer-up': 42, stats: 42, announce: 235, 'end-of-rib': 36, 'router-down': 1 }],
  ['traffic-reproducer/ipfix-bmp-scenario-PART2-bmp-route-monitoring-updates.pcap', { 'router-up': 1, announce: 501, 'end-of-rib': 32, 'router-down': 1 }],
  ['traffic-reproducer/ipfix-bmp-scenario-PART4-bmp-route-monitoring-withdrawals-updates.pcap', { 'router-up': 1, withdraw: 18, 'router-down': 1 }],
  ['NetGauze/unreachable-prefix-announcement__upa.pcap', { 'router-up': 3, 'peer-up': 7, announce: 19, withdraw: 3, 'end-of-rib': 12, 'router-down': 3 }],
  ['NetGauze/evpn__evpn.pcap', { 'router-up': 2, 'peer-up': 4, stats: 7, 'peer-down': 2, 'end-of-rib': 4, 'router-down': 2 }],
];

for (const [file, want] of CAPTURES) {
  test(`session events of ${file}, whole and in odd segment sizes`, (t) => {
    const path = needFixture(t, file);
    if (!path) return;
    const got: Record<string, number> = {};
    for (const s of tcpStreams(new Uint8Array(readFileSync(path)))) {
      if (s.payload.length === 0) continue;
      const whole = run(s.payload, s.src).events;
      const pieces = run(s.payload, s.src, [1, 3, 17, 512, 1460, 5]).events;
      assert.deepEqual(pieces, whole);
      for (const k of kinds(whole)) got[k] = (got[k] ?? 0) + 1;
    }
    assert.deepEqual(got, want);
  });
}

// pmacct's nfacctd decode of the same captures (its JSON, its field names). IP unicast
// (SAFI 1) announcements must match one for one: prefix, peer address, AS path. pmacct
// prints some AS paths with commas ("65000,65538") where the segment is a plain
// AS_SEQUENCE (checked in the bytes), so separators are normalised. Withdrawals: pmacct
// files the IPv4 withdrawn routes of a Loc-RIB VRF peer under SAFI 128 (its RIB lookup
// found VPN entries), so ours must be a superset of its SAFI 1 withdrawals.
for (const base of ['204-BMP-CISCO-peer_down', '200-BMP-HUAWEI-locrib_instance']) {
  test(`pmacct cross-check: ${base}`, (t) => {
    const pcap = needFixture(t, `pmacct/${base}__traffic-00.pcap`);
    const json = needFixture(t, `pmacct/${base}__output-bmp-00.json`);
    if (!pcap || !json) return;
    const ours: string[] = [];
    const oursW = new Set<string>();
    for (const s of tcpStreams(new Uint8Array(readFileSync(pcap)))) {
      for (const r of routes(run(s.payload, s.src).events)) {
        const key = `${formatPrefix(r.prefix)} ${formatAddress(r.peer.address)}`;
        if (r.kind === 'announce') ours.push(`${key} ${r.attrs.asPath.join(' ')}`);
        else oursW.add(key);
      }
    }
    const theirs: string[] = [];
    const theirsW: string[] = [];
    for (const line of readFileSync(json, 'utf8').split('\n')) {
      if (line === '') continue;
      const j = JSON.parse(line);
      if (j.bmp_msg_type !== 'route_monitor' || j.safi !== 1) continue;
      const key = `${j.ip_prefix} ${j.peer_ip}`;
      if (j.log_type === 'update') theirs.push(`${key} ${String(j.as_path ?? '').replaceAll(',', ' ')}`);
      else if (j.log_type === 'withdraw') theirsW.push(key);
    }
    assert.deepEqual(ours.sort(), theirs.sort());
    for (const w of theirsW) assert.ok(oursW.has(w), `pmacct withdraw ${w} missing`);
  });
}
