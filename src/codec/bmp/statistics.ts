// Stats Report: RFC 7854 section 4.8, types 14-17 from RFC 8671 5.
//   per-peer header | stats count (4) | count x { type (2) | length (2) | value }
// Value layouts: 32-bit counter (types 0-6, 11-13), 64-bit gauge (7, 8, 14, 15),
// AFI (2) + SAFI (1) + 64-bit gauge (9, 10, 16, 17). A known type whose length does not
// fit its layout, and any type we do not know, is kept raw (RFC 7854: a collector skips
// what it does not understand), so a vendor's odd counter never costs the whole report.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { decodePerPeerHeader, encodePerPeerHeader } from './per-peer-header.ts';
import type { StatValue, Statistics } from './types.ts';

/** Layout per known type: 4 counter, 8 gauge, 11 AFI/SAFI gauge. */
const LAYOUT: readonly number[] = [4, 4, 4, 4, 4, 4, 4, 8, 8, 11, 11, 4, 4, 4, 8, 8, 11, 11];

/** Counter names for FeedEvent 'stats' (RFC 7854 4.8, RFC 8671 5). */
const NAMES: readonly string[] = [
  'rejected-prefixes',
  'duplicate-prefixes',
  'duplicate-withdraws',
  'cluster-list-loops',
  'as-path-loops',
  'originator-id-loops',
  'as-confed-loops',
  'adj-rib-in-routes',
  'loc-rib-routes',
  'adj-rib-in-routes',
  'loc-rib-routes',
  'treat-as-withdraw-updates',
  'treat-as-withdraw-prefixes',
  'duplicate-updates',
  'adj-rib-out-pre-routes',
  'adj-rib-out-post-routes',
  'adj-rib-out-pre-routes',
  'adj-rib-out-post-routes',
];

export function decodeStatistics(cur: Cursor): Statistics {
  const peer = decodePerPeerHeader(cur);
  const countAt = cur.pos;
  if (cur.end - countAt < 4) throw new DecodeError('bmp', 'stats-count-truncated', countAt, `stats count needs 4 bytes, ${cur.end - countAt} left`);
  const count = cur.u32('stats count');
  const stats: StatValue[] = [];
  for (let i = 0; i < count; i++) {
    const at = cur.pos;
    if (cur.end - at < 4) throw new DecodeError('bmp', 'stat-header-truncated', at, `stat ${i + 1} of ${count}: header needs 4 bytes, ${cur.end - at} left`);
    const type = cur.u16('stat type');
    const len = cur.u16('stat length');
    if (len > cur.end - cur.pos) throw new DecodeError('bmp', 'stat-overrun', at, `stat type ${type} length ${len}, ${cur.end - cur.pos} byte(s) left`);
    const v = cur.sub(len, 'stat value');
    const layout = type < LAYOUT.length ? LAYOUT[type] : 0;
    if (layout !== len) stats.push({ kind: 'unknown', type, raw: v.rest() });
    else if (len === 4) stats.push({ kind: 'counter', type, value: v.u32('counter') });
    else if (len === 8) stats.push({ kind: 'gauge', type, value: v.u64('gauge') });
    else stats.push({ kind: 'afi-safi-gauge', type, afi: v.u16('AFI'), safi: v.u8('SAFI'), value: v.u64('gauge') });
  }
  if (!cur.atEnd) throw new DecodeError('bmp', 'stats-trailing', cur.pos, `${cur.remaining} byte(s) after ${count} stat(s)`);
  return { kind: 'statistics', peer, stats };
}

export function encodeStatistics(m: Statistics, w: Writer): void {
  encodePerPeerHeader(m.peer, w);
  w.u32(m.stats.length);
  for (const s of m.stats) {
    w.u16(s.type);
    switch (s.kind) {
      case 'counter': w.u16(4).u32(s.value); break;
      case 'gauge': w.u16(8).u64(s.value); break;
      case 'afi-safi-gauge': w.u16(11).u16(s.afi).u8(s.safi).u64(s.value); break;
      case 'unknown': w.u16(s.raw.length).bytes(s.raw); break;
    }
  }
}

/** Counters by name ("rejected-prefixes", "adj-rib-in-routes:1/1"); raw (unknown) stats are left out. */
export function statCounters(stats: readonly StatValue[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of stats) {
    switch (s.kind) {
      case 'counter': out[NAMES[s.type]] = s.value; break;
      case 'gauge': out[NAMES[s.type]] = Number(s.value); break;
      case 'afi-safi-gauge': out[`${NAMES[s.type]}:${s.afi}/${s.safi}`] = Number(s.value); break;
      case 'unknown': break;
    }
  }
  return out;
}
