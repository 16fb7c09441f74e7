// Traffic exports -> TrafficRows (address or prefix, bytes or packets). Pure: text in,
// rows out, or a InputFormatError naming the file and line.
//
// Formats (as the tools print them):
// - nfdump `-o csv`: a header `ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,...`,
//   one flow per line, and (nfdump 1.6) a trailing "Summary" block that is not flows.
//   Its statistics (`-s dstip/bytes -o csv`) print `ts,te,td,pr,val,fl,flP,ipkt,ipktP,ibyt,...`
//   with the address in `val`.
// - pmacct `-O csv`: a header of upper-case primitives, e.g. `SRC_IP,DST_IP,...,PACKETS,BYTES`
//   (FLOWS when counted); `-O json`: one object per line, `{"ip_src": ..., "ip_dst": ...,
//   "packets": N, "bytes": N}`.
// - Generic CSV: a header naming an address or prefix column (address, ip, prefix, host,
//   src/dst ...) and bytes or packets; generic JSON: an array of such objects, or one per line.
// Which address is taken: `side` dst (the destination: where our traffic goes), src, or both.
import { parseAddress } from '../../model/address.ts';
import { parsePrefix } from '../../model/prefix.ts';
import type { TrafficRow } from './rank.ts';

export type TrafficFormat = 'auto' | 'csv' | 'json' | 'nfdump' | 'pmacct';
export type TrafficSide = 'dst' | 'src' | 'both';
export type TrafficMetric = 'bytes' | 'packets';

export class InputFormatError extends Error {
  override readonly name = 'InputFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
  }
}

export interface TrafficParseOptions {
  /** The file (or command) named in errors. */
  readonly name: string;
  readonly format?: TrafficFormat;
  readonly side?: TrafficSide;
  readonly metric?: TrafficMetric;
}

export interface ParsedTraffic {
  readonly rows: TrafficRow[];
  /** The metric the rows carry (packets when only packets were given). */
  readonly metric: TrafficMetric;
  /** What was recognised, for messages: "nfdump csv", "pmacct json", ... */
  readonly detected: string;
}

const DST = ['da', 'dst_ip', 'ip_dst', 'dst_host', 'dst_net', 'dst', 'dstaddr', 'dst_addr', 'destination'];
const SRC = ['sa', 'src_ip', 'ip_src', 'src_host', 'src_net', 'src', 'srcaddr', 'src_addr', 'source'];
const ANY = ['address', 'addr', 'ip', 'host', 'prefix', 'net', 'network', 'val'];
const BYTES = ['ibyt', 'bytes', 'byt', 'octets', 'in_bytes'];
const PACKETS = ['ipkt', 'packets', 'pkt', 'pkts', 'in_pkts'];

function addressColumns(names: readonly string[], side: TrafficSide): number[] {
  const pick = (list: readonly string[]) => list.map((n) => names.indexOf(n)).find((i) => i >= 0);
  const cols: number[] = [];
  const any = pick(ANY);
  if (side !== 'src') {
    const d = pick(DST);
    if (d !== undefined) cols.push(d);
  }
  if (side !== 'dst') {
    const s = pick(SRC);
    if (s !== undefined) cols.push(s);
  }
  if (cols.length === 0 && any !== undefined) cols.push(any);
  return cols;
}

function metricColumn(names: readonly string[], metric: TrafficMetric): { col: number; metric: TrafficMetric } | undefined {
  const first = metric === 'bytes' ? BYTES : PACKETS;
  const second = metric === 'bytes' ? PACKETS : BYTES;
  for (const [list, m] of [[first, metric], [second, metric === 'bytes' ? 'packets' : 'bytes']] as const) {
    const i = list.map((n) => names.indexOf(n)).find((x) => x >= 0);
    if (i !== undefined) return { col: i, metric: m };
  }
  return undefined;
}

/** An address or prefix as a flow tool prints it (trimmed; IPv6 may come in brackets). */
function addressKey(raw: string): string | undefined {
  const t = raw.trim().replace(/^\[(.*)\]$/, '$1');
  if (t === '' || t === '-' || t === '0.0.0.0' || t === '::') return undefined;
  if (t.includes('/')) return parsePrefix(t) ? t : undefined;
  return parseAddress(t) ? t : undefined;
}

/** "1234", "1.2e3"; nfdump statistics may print "1.2 M" in text mode, never in csv. */
function count(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const t = raw.trim();
  if (!/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function splitCsv(line: string): string[] {
  // Flow exports quote nothing; a quoted cell is still taken whole.
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') q = false;
      else cur += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function parseCsv(text: string, o: Required<Omit<TrafficParseOptions, 'format'>>, label: string): ParsedTraffic {
  const lines = text.split(/\r?\n/);
  let headerAt = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '' || l.startsWith('#')) continue;
    headerAt = i;
    break;
  }
  if (headerAt < 0) throw new InputFormatError(o.name, 0, 'is empty: expected a CSV header line and rows');
  const names = splitCsv(lines[headerAt]).map((n) => n.toLowerCase());
  const addrCols = addressColumns(names, o.side);
  if (addrCols.length === 0) {
    throw new InputFormatError(o.name, headerAt + 1, `no address column in the header (want one of ${[...(o.side === 'src' ? SRC : DST).slice(0, 3), ...ANY.slice(0, 3)].join(', ')}, ...); got ${names.slice(0, 8).join(',')}`);
  }
  const m = metricColumn(names, o.metric);
  if (!m) throw new InputFormatError(o.name, headerAt + 1, `no bytes or packets column in the header (want ibyt/bytes or ipkt/packets); got ${names.slice(0, 8).join(',')}`);
  const rows: TrafficRow[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '' || l.startsWith('#')) continue;
    // nfdump 1.6 ends its csv with "Summary" and a totals block: not flows.
    if (/^summary\b/i.test(l)) break;
    const cells = splitCsv(l);
    if (cells.length < names.length && cells.length <= Math.max(m.col, ...addrCols)) {
      throw new InputFormatError(o.name, i + 1, `has ${cells.length} fields, the header ${names.length}`);
    }
    const v = count(cells[m.col]);
    if (v === undefined) throw new InputFormatError(o.name, i + 1, `${names[m.col]} is not a number: ${JSON.stringify(cells[m.col].slice(0, 40))}`);
    let any = false;
    for (const c of addrCols) {
      const k = addressKey(cells[c]);
      if (k === undefined) continue;
      any = true;
      rows.push({ key: k, value: v });
    }
    if (!any && addrCols.every((c) => cells[c] !== '' && cells[c] !== '-')) {
      throw new InputFormatError(o.name, i + 1, `${names[addrCols[0]]} is not an IP address or prefix: ${JSON.stringify((cells[addrCols[0]] ?? '').slice(0, 60))}`);
    }
  }
  return { rows, metric: m.metric, detected: label };
}

function parseJsonObjects(objs: { obj: unknown; line: number }[], o: Required<Omit<TrafficParseOptions, 'format'>>, label: string): ParsedTraffic {
  const rows: TrafficRow[] = [];
  let metric: TrafficMetric | undefined;
  for (const { obj, line } of objs) {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new InputFormatError(o.name, line, 'expected a JSON object per flow');
    const rec = Object.fromEntries(Object.entries(obj as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
    const names = Object.keys(rec);
    const cols = addressColumns(names, o.side);
    if (cols.length === 0) throw new InputFormatError(o.name, line, `no address field (ip_dst, dst_ip, address, prefix, ...) in ${JSON.stringify(names.slice(0, 8))}`);
    const m = metricColumn(names, o.metric);
    if (!m) throw new InputFormatError(o.name, line, 'no bytes or packets field');
    metric ??= m.metric;
    const v = count(rec[names[m.col]]);
    if (v === undefined) throw new InputFormatError(o.name, line, `${names[m.col]} is not a number`);
    for (const c of cols) {
      const raw = rec[names[c]];
      const k = typeof raw === 'string' ? addressKey(raw) : undefined;
      if (k === undefined) {
        if (typeof raw === 'string' && raw !== '' && raw !== '0.0.0.0' && raw !== '::') throw new InputFormatError(o.name, line, `${names[c]} is not an IP address or prefix: ${JSON.stringify(raw.slice(0, 60))}`);
        continue;
      }
      rows.push({ key: k, value: v });
    }
  }
  return { rows, metric: metric ?? o.metric, detected: label };
}

function parseJson(text: string, o: Required<Omit<TrafficParseOptions, 'format'>>, label: string): ParsedTraffic {
  const t = text.trim();
  if (t.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(t);
    } catch (e) {
      throw new InputFormatError(o.name, 0, `is not valid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(arr)) throw new InputFormatError(o.name, 1, 'expected an array of objects');
    return parseJsonObjects(arr.map((obj) => ({ obj, line: 0 })), o, label);
  }
  // One object per line (pmacct -O json, jq -c).
  const objs: { obj: unknown; line: number }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '') continue;
    try {
      objs.push({ obj: JSON.parse(l), line: i + 1 });
    } catch (e) {
      throw new InputFormatError(o.name, i + 1, `is not valid JSON: ${(e as Error).message}`);
    }
  }
  return parseJsonObjects(objs, o, label);
}

/** Tells the format from the first meaningful line. */
function detect(text: string): { kind: 'csv' | 'json'; label: string } {
  const first = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#'))?.trim() ?? '';
  if (first.startsWith('{') || first.startsWith('[')) return { kind: 'json', label: /"ip_(src|dst)"/.test(first) ? 'pmacct json' : 'json' };
  const names = splitCsv(first);
  if (names.includes('ts') && names.includes('te') && (names.includes('ibyt') || names.includes('ipkt'))) return { kind: 'csv', label: 'nfdump csv' };
  if (names.some((n) => n === 'SRC_IP' || n === 'DST_IP') && (names.includes('BYTES') || names.includes('PACKETS'))) return { kind: 'csv', label: 'pmacct csv' };
  return { kind: 'csv', label: 'csv' };
}

export function parseTraffic(text: string, opts: TrafficParseOptions): ParsedTraffic {
  const o = { name: opts.name, side: opts.side ?? 'dst', metric: opts.metric ?? 'bytes' };
  const format = opts.format ?? 'auto';
  const d = detect(text);
  if (format === 'json') return parseJson(text, o, 'json');
  if (format === 'csv') return parseCsv(text, o, 'csv');
  if (format === 'nfdump') {
    if (d.kind === 'json') throw new InputFormatError(o.name, 1, 'is JSON, not nfdump csv output (run nfdump with -o csv)');
    return parseCsv(text, o, 'nfdump csv');
  }
  if (format === 'pmacct') return d.kind === 'json' ? parseJson(text, o, 'pmacct json') : parseCsv(text, o, 'pmacct csv');
  return d.kind === 'json' ? parseJson(text, o, d.label) : parseCsv(text, o, d.label);
}
