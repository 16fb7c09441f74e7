// UPDATE bodies read the lenient way bgpdump reads them, and their A / W lines as text:
// the general path for BGP4MP MESSAGE records and the deprecated BGP type 5.
import { Cursor } from '../../cursor.ts';
import { DecodeError } from '../../errors.ts';
import { decodeNlri } from '../../bgp/nlri.ts';
import type { Nlri } from '../../bgp/types.ts';
import { bgpdumpIPv6, ipv4Text, prefixText } from './address-text.ts';
import type { BgpdumpAttrs } from './attrs.ts';

/** NLRI list, bgpdump-style: a truncated or impossible prefix ends the list, keeping those before it. */
export function decodeNlriLenient(
  buf: Uint8Array,
  start: number,
  stop: number,
  family: 4 | 6,
  addPath: boolean,
  problems: DecodeError[],
): Nlri[] {
  let end = stop;
  for (;;) {
    try {
      return decodeNlri(new Cursor(buf, start, end, 'nlri'), family, addPath);
    } catch (e) {
      if (!(e instanceof DecodeError) || e.offset >= end || e.offset < start) throw e;
      problems.push(e);
      // The failing entry starts at or before e.offset; find the last whole entry boundary.
      end = lastBoundary(buf, start, e.offset, addPath);
    }
  }
}

function lastBoundary(buf: Uint8Array, start: number, limit: number, addPath: boolean): number {
  let p = start;
  let last = start;
  while (p < limit) {
    const lenAt = addPath ? p + 4 : p;
    if (lenAt >= limit) break;
    const next = lenAt + 1 + ((buf[lenAt] + 7) >>> 3);
    if (next > limit) break;
    last = next;
    p = next;
  }
  return last;
}

interface UpdateParts {
  withdrawn: Nlri[];
  attributes: Uint8Array;
  nlri: Nlri[];
}

/**
 * Splits an UPDATE body (RFC 4271 §4.3) the lenient way bgpdump reads it: a length that
 * runs past the message is cut to what is there.
 */
export function splitUpdate(body: Uint8Array, addPath: boolean, problems: DecodeError[]): UpdateParts {
  const cur = new Cursor(body, 0, body.length, 'bgp');
  let withdrawn: Nlri[] = [];
  let attributes: Uint8Array = body.subarray(0, 0);
  let nlri: Nlri[] = [];
  if (cur.remaining < 2) {
    problems.push(new DecodeError('bgp', 'update-truncated', cur.pos, 'UPDATE has no withdrawn routes length'));
    return { withdrawn, attributes, nlri };
  }
  const wl = Math.min(cur.u16('withdrawn routes length'), cur.remaining);
  withdrawn = decodeNlriLenient(body, cur.pos, cur.pos + wl, 4, addPath, problems);
  cur.skip(wl, 'withdrawn routes');
  if (cur.remaining < 2) return { withdrawn, attributes, nlri };
  const al = Math.min(cur.u16('path attributes length'), cur.remaining);
  attributes = cur.bytes(al, 'path attributes');
  nlri = decodeNlriLenient(body, cur.pos, body.length, 4, addPath, problems);
  return { withdrawn, attributes, nlri };
}

function pid(n: Nlri, addPath: boolean): string {
  return addPath ? `|${n.pathId ?? 0}` : '';
}

/**
 * The A and W lines of one UPDATE, in bgpdump's order: withdrawn routes, MP_UNREACH_NLRI,
 * NLRI, MP_REACH_NLRI. `v4LocalQuirk`: bgpdump prints the peer of an IPv6 withdrawal in an
 * IPv4-session _LOCAL message with inet_ntop(AF_INET6) over the IPv4 address.
 */
export function updateLines(
  head: string,
  peer: string,
  withdrawn: readonly Nlri[],
  nlri: readonly Nlri[],
  a: BgpdumpAttrs,
  addPath: boolean,
  v4LocalQuirk: boolean,
): string {
  let out = '';
  for (const n of withdrawn) out += `${head}W|${peer}${prefixText(n.prefix)}${pid(n, addPath)}\n`;
  const un = a.mpUnreach;
  if (un && un.raw === undefined) {
    let wpeer = peer;
    if (un.afi === 2 && v4LocalQuirk) {
      const b = new Uint8Array(16);
      const ip = peer.slice(0, peer.indexOf('|')).split('.').map(Number);
      b.set(ip, 0);
      wpeer = `${bgpdumpIPv6(b)}${peer.slice(peer.indexOf('|'))}`;
    }
    for (const n of un.withdrawn) out += `${head}W|${wpeer}${prefixText(n.prefix)}${pid(n, addPath)}\n`;
  }
  const tail = `|${a.asPath}|${a.origin}|`;
  for (const n of nlri) {
    out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${a.nextHop}|${a.localPref}|${a.med}${a.end}\n`;
  }
  const mp = a.mpReach;
  if (mp && mp.raw === undefined && mp.nlri.length > 0) {
    if (mp.afi === 1) {
      // table_line_announce_1 prints local-pref and MED with %d.
      const nh = mp.nextHops.length > 0 ? ipv4Text(mp.nextHops[0].bytes) : '0.0.0.0';
      const mid = `${nh}|${a.localPref | 0}|${a.med | 0}`;
      for (const n of mp.nlri) out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${mid}${a.end}\n`;
    } else {
      const nh = mp.nextHops.length > 0 ? bgpdumpIPv6(mp.nextHops[0].bytes) : '::';
      const mid = `${nh}|${a.localPref}|${a.med}`;
      for (const n of mp.nlri) out += `${head}A|${peer}${prefixText(n.prefix)}${pid(n, addPath)}${tail}${mid}${a.end}\n`;
    }
  }
  return out;
}
