// Test-only: a small classic-pcap reader (libpcap format, either byte order, µs or ns
// timestamps; link types Ethernet, raw IP, Linux cooked v1/v2, BSD loopback) and TCP
// stream reassembly. Each direction of each 4-tuple is one stream; its segments are put in
// sequence-number order, and retransmitted or overlapping bytes are kept once, so the
// result is the byte stream the receiving application read. pcapng is not read: none of
// the BMP fixtures needs it (all start with the classic magic).

export interface TcpStream {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** The reassembled payload bytes. */
  readonly payload: Uint8Array;
  /** Segments with payload, retransmits included. */
  readonly segments: number;
  /** Bytes missing inside the stream (a capture gap); the payload simply skips them. */
  readonly gapBytes: number;
  /** Timestamp (ms) of the first packet of the stream. */
  readonly firstTime: number;
}

interface Segment {
  seq: number;
  data: Uint8Array;
}

interface Flow {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  isn: number | undefined;
  firstSeq: number | undefined;
  segments: Segment[];
  firstTime: number;
  order: number;
}

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function u16be(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function ipText(b: Uint8Array, o: number, n: 4 | 16): string {
  if (n === 4) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const words: string[] = [];
  for (let i = 0; i < 8; i++) words.push(u16be(b, o + 2 * i).toString(16));
  return words.join(':');
}

export interface PcapPacket {
  readonly time: number;
  readonly linkType: number;
  readonly data: Uint8Array;
}

export function readPcap(file: Uint8Array): PcapPacket[] {
  if (file.length < 24) throw new Error('pcap: shorter than the global header');
  const magicLe = u32le(file, 0);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b2c3d4 || magicLe === 0xa1b23c4d) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = u32be(file, 0);
    if (magicBe !== 0xa1b2c3d4 && magicBe !== 0xa1b23c4d) throw new Error('pcap: not a classic pcap (pcapng is not supported)');
    le = false;
    nano = magicBe === 0xa1b23c4d;
  }
  const rd = le ? u32le : u32be;
  const linkType = rd(file, 20) & 0xffff;
  const out: PcapPacket[] = [];
  let p = 24;
  while (p + 16 <= file.length) {
    const sec = rd(file, p);
    const frac = rd(file, p + 4);
    const incl = rd(file, p + 8);
    p += 16;
    if (p + incl > file.length) break; // a cut last record
    out.push({ time: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3), linkType, data: file.subarray(p, p + incl) });
    p += incl;
  }
  return out;
}

/** Offset and ethertype-like protocol of the IP header inside a link-layer frame, or undefined. */
function ipStart(linkType: number, d: Uint8Array): { at: number; v: 4 | 6 } | undefined {
  let at: number;
  let etype: number;
  switch (linkType) {
    case 1: // Ethernet
      at = 14;
      etype = u16be(d, 12);
      while ((etype === 0x8100 || etype === 0x88a8) && at + 4 <= d.length) {
        etype = u16be(d, at + 2);
        at += 4;
      }
      break;
    case 101: case 12: case 14: // raw IP
      at = 0;
      etype = (d[0] >> 4) === 6 ? 0x86dd : 0x0800;
      break;
    case 113: // Linux cooked v1
      at = 16;
      etype = u16be(d, 14);
      break;
    case 276: // Linux cooked v2
      at = 20;
      etype = u16be(d, 0);
      break;
    case 0: { // BSD loopback: 4-byte family in host order
      at = 4;
      const fam = d[0] || d[3];
      etype = fam === 2 ? 0x0800 : 0x86dd;
      break;
    }
    default:
      return undefined;
  }
  if (etype === 0x0800) return { at, v: 4 };
  if (etype === 0x86dd) return { at, v: 6 };
  return undefined;
}

/** Every TCP stream (one per direction of a 4-tuple), in order of first appearance. */
export function tcpStreams(file: Uint8Array, opts: { port?: number } = {}): TcpStream[] {
  const flows = new Map<string, Flow>();
  for (const pkt of readPcap(file)) {
    const d = pkt.data;
    const ip = ipStart(pkt.linkType, d);
    if (!ip || ip.at >= d.length) continue;
    let tcpAt: number;
    let ipEnd: number;
    let src: string;
    let dst: string;
    if (ip.v === 4) {
      const ihl = (d[ip.at] & 15) * 4;
      if (d[ip.at + 9] !== 6) continue;
      if ((u16be(d, ip.at + 6) & 0x3fff) !== 0) continue; // fragments: not expected in these captures
      ipEnd = Math.min(d.length, ip.at + u16be(d, ip.at + 2)); // drops Ethernet padding
      src = ipText(d, ip.at + 12, 4);
      dst = ipText(d, ip.at + 16, 4);
      tcpAt = ip.at + ihl;
    } else {
      if (d[ip.at + 6] !== 6) continue; // extension headers: not expected here
      ipEnd = Math.min(d.length, ip.at + 40 + u16be(d, ip.at + 4));
      src = ipText(d, ip.at + 8, 16);
      dst = ipText(d, ip.at + 24, 16);
      tcpAt = ip.at + 40;
    }
    if (tcpAt + 20 > ipEnd) continue;
    const srcPort = u16be(d, tcpAt);
    const dstPort = u16be(d, tcpAt + 2);
    if (opts.port !== undefined && srcPort !== opts.port && dstPort !== opts.port) continue;
    const seq = u32be(d, tcpAt + 4);
    const flags = d[tcpAt + 13];
    const dataAt = tcpAt + (d[tcpAt + 12] >> 4) * 4;
    const key = `${src}|${srcPort}|${dst}|${dstPort}`;
    let f = flows.get(key);
    if (!f) {
      f = { src, srcPort, dst, dstPort, isn: undefined, firstSeq: undefined, segments: [], firstTime: pkt.time, order: flows.size };
      flows.set(key, f);
    }
    const syn = (flags & 0x02) !== 0;
    // SYN: data starts at seq + 1. The pmacct/traffic-reproducer replays put the first
    // message inside the SYN and number it from the SYN's own seq (the next segment is at
    // seq + length), so a SYN carrying data marks the start at seq itself.
    if (syn) f.isn = dataAt < ipEnd ? (seq - 1) >>> 0 : seq;
    if (dataAt < ipEnd) {
      if (f.firstSeq === undefined) f.firstSeq = seq;
      f.segments.push({ seq, data: d.subarray(dataAt, ipEnd) });
    }
  }
  const out: TcpStream[] = [];
  for (const f of flows.values()) {
    if (f.segments.length === 0) continue;
    const base = f.isn !== undefined ? (f.isn + 1) >>> 0 : (f.firstSeq as number);
    // Offsets relative to the start, in 32-bit sequence space (wraps are fine; anything
    // "before" the start by the signed difference is dropped).
    const segs = f.segments
      .map((s) => ({ off: (s.seq - base) | 0, data: s.data }))
      .filter((s) => s.off >= 0)
      .sort((a, b) => a.off - b.off);
    const parts: Uint8Array[] = [];
    let have = 0; // stream offset reached
    let gapBytes = 0;
    let total = 0;
    for (const s of segs) {
      const end = s.off + s.data.length;
      if (end <= have) continue; // duplicate / retransmit
      if (s.off > have) {
        gapBytes += s.off - have;
        parts.push(s.data);
      } else {
        parts.push(s.data.subarray(have - s.off));
      }
      total += parts[parts.length - 1].length;
      have = end;
    }
    const payload = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      payload.set(p, o);
      o += p.length;
    }
    out.push({ src: f.src, srcPort: f.srcPort, dst: f.dst, dstPort: f.dstPort, payload, segments: segs.length, gapBytes, firstTime: f.firstTime });
  }
  return out;
}
