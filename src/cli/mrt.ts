// `smoketrace mrt dump FILE... [--format bgpdump|jsonl]`.
//
// bgpdump: exactly the lines `bgpdump -m FILE` prints (codec/mrt/bgpdump/text.ts).
// jsonl: one RouteEvent per line (codec/mrt/route-events.ts), addresses and prefixes as
// canonical strings, times as ISO-8601, AS_SETs as nested arrays.
//
// Like bgpdump, damaged data is reported on stderr and is not a failure: the exit status
// is 0 when every file could be read to its end (a cut .gz/.bz2 or a cut last record
// included: bgpdump also exits 0 there), 1 when a file cannot be opened or decompressed
// at all, 2 for a usage error. Output goes out in ~256 KiB writes that wait for the pipe
// to drain; a closed pipe (`| head`) ends the command quietly with status 0.
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { formatAddress } from '../model/address.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { RouteAttributes, RouteEvent } from '../model/route-event.ts';
import { DecodeError } from '../codec/errors.ts';
import type { RawMrtRecord } from '../codec/mrt/framing.ts';
import { BgpdumpText } from '../codec/mrt/bgpdump/text.ts';
import { mrtRouteEvents } from '../codec/mrt/route-events.ts';
import { type MrtFileItem, decodeItem, mrtFileRawBatches } from '../feeds/mrt-file.ts';
import { registerMrtImportCommand } from './mrt-import-command.ts';

export type MrtDumpFormat = 'bgpdump' | 'jsonl';

const FLUSH_AT = 256 * 1024;
const BUF_SIZE = FLUSH_AT + 64 * 1024;
/** Per file; beyond this only a count is printed. */
const MAX_PROBLEM_LINES = 50;

class PipeClosed extends Error {}

/** The output bytes being gathered (BgpdumpText.formatRaw writes into it directly). */
class Sink {
  buf: Buffer;
  pos = 0;
  constructor(private readonly alloc: (n: number) => Buffer) {
    this.buf = alloc(BUF_SIZE);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = this.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  /** Text as latin1 (its low 8 bits per UTF-16 unit), as before. */
  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }
  /** The bytes so far; starts over on a fresh buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = this.alloc(BUF_SIZE);
    this.pos = 0;
    return out;
  }
}

/** Batches output into large writes (bytes, latin1 for text) and honours backpressure. */
class BatchedOut {
  /** Buffers the stream is done with (write callback called), reused: no new memory per flush. */
  private readonly free: Buffer[] = [];
  readonly sink = new Sink((n) => (n === BUF_SIZE ? this.free.pop() : undefined) ?? Buffer.allocUnsafe(n));
  private closed = false;
  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }
  /** Appends text as latin1; returns a promise only when a flush had to wait. */
  add(s: string): Promise<void> | undefined {
    this.sink.latin1(s);
    return this.maybeFlush();
  }
  /** Flushes when enough is buffered (after bytes were written into `sink` directly). */
  maybeFlush(): Promise<void> | undefined {
    if (this.sink.pos >= FLUSH_AT) return this.flush();
    return undefined;
  }
  async flush(): Promise<void> {
    if (this.closed) throw new PipeClosed();
    if (this.sink.pos === 0) return;
    const whole = this.sink.buf;
    const ok = this.out.write(this.sink.take(), () => {
      if (whole.length === BUF_SIZE && this.free.length < 8) this.free.push(whole);
    });
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.out.off('error', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
        this.out.on('error', done);
      });
    }
    if (this.closed) throw new PipeClosed();
  }
}

function addressJson(a: { family: 4 | 6; bytes: Uint8Array }): string {
  return formatAddress(a);
}

const attrsJsonCache = new WeakMap<RouteAttributes, string>();

function attrsJson(a: RouteAttributes): string {
  let s = attrsJsonCache.get(a);
  if (s !== undefined) return s;
  const o: Record<string, unknown> = { asPath: a.asPath };
  if (a.nextHop) o.nextHop = addressJson(a.nextHop);
  if (a.origin !== undefined) o.origin = a.origin;
  if (a.med !== undefined) o.med = a.med;
  if (a.localPref !== undefined) o.localPref = a.localPref;
  if (a.atomicAggregate) o.atomicAggregate = true;
  if (a.aggregator) o.aggregator = { asn: a.aggregator.asn, address: addressJson(a.aggregator.address) };
  o.communities = a.communities;
  o.largeCommunities = a.largeCommunities;
  if (a.extendedCommunities) o.extendedCommunities = a.extendedCommunities;
  if (a.originatorId) o.originatorId = addressJson(a.originatorId);
  if (a.clusterList) o.clusterList = a.clusterList.map(addressJson);
  if (a.onlyToCustomer !== undefined) o.onlyToCustomer = a.onlyToCustomer;
  s = JSON.stringify(o);
  attrsJsonCache.set(a, s);
  return s;
}

/** One RouteEvent as a JSON line (without the newline). */
export function routeEventJson(e: RouteEvent): string {
  const peer: Record<string, unknown> = { address: addressJson(e.peer.address), asn: e.peer.asn };
  if (e.peer.bgpId) peer.bgpId = addressJson(e.peer.bgpId);
  const head =
    `{"kind":"${e.kind}","source":"${e.source}","router":${JSON.stringify(e.router)},"peer":${JSON.stringify(peer)}` +
    `,"table":"${e.table}","prefix":"${formatPrefix(e.prefix)}"${e.pathId !== undefined ? `,"pathId":${e.pathId}` : ''}` +
    `,"time":"${new Date(e.time).toISOString()}","received":"${new Date(e.received).toISOString()}"`;
  return e.kind === 'announce' ? `${head},"attrs":${attrsJson(e.attrs)}}` : `${head}}`;
}

export interface MrtDumpIo {
  readonly out: Writable;
  readonly err: Writable;
  /** Receive-time clock for jsonl (ms). */
  readonly now?: () => number;
}

/** Runs `mrt dump`; resolves to the exit status. */
export async function mrtDump(files: readonly string[], format: MrtDumpFormat, io: MrtDumpIo): Promise<number> {
  const out = new BatchedOut(io.out);
  let status = 0;
  try {
    for (const file of files) {
      let shown = 0;
      let hidden = 0;
      const report = (what: string) => {
        if (shown < MAX_PROBLEM_LINES) {
          io.err.write(`smoketrace mrt dump: ${file}: ${what}\n`);
          shown++;
        } else hidden++;
      };
      const problem = (e: DecodeError, offset: number) => report(`record at byte ${offset}: ${e.message}`);
      const text = format === 'bgpdump' ? new BgpdumpText({ onProblem: problem }) : undefined;
      const events = format === 'jsonl' ? mrtRouteEvents({ router: basename(file), received: io.now ?? Date.now }) : undefined;
      // Returns a promise only when the output had to wait (no promise per record).
      const onItem = (item: MrtFileItem): Promise<void> | undefined => {
        if (item.kind === 'record') {
          if (text) {
            const s = text.format(item.record);
            if (s !== '') return out.add(s);
          } else if (events) {
            let s = '';
            for (const e of events.convert(item.record)) s += `${routeEventJson(e)}\n`;
            for (const p of events.takeProblems()) problem(p, item.record.offset);
            if (s !== '') return out.add(s);
          }
        } else if (item.kind === 'decode-error') {
          report(`record at byte ${item.offset} (type ${item.type}/${item.subtype}) skipped: ${item.error.message}`);
        } else {
          report(item.error.message);
        }
        return undefined;
      };
      // jsonl: RouteEvents straight from the raw record (convertRaw = convert(decodeMrtRecord(raw))).
      const onEvents = (raw: RawMrtRecord): Promise<void> | undefined => {
        if (!events) return undefined;
        let list: RouteEvent[];
        try {
          list = events.convertRaw(raw);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          return onItem({ kind: 'decode-error', offset: raw.offset, type: raw.header.type, subtype: raw.header.subtype, error: e });
        }
        let s = '';
        for (const e of list) s += `${routeEventJson(e)}\n`;
        for (const p of events.takeProblems()) problem(p, raw.offset);
        return s !== '' ? out.add(s) : undefined;
      };
      try {
        for await (const batch of mrtFileRawBatches(file)) {
          for (const raw of batch.records) {
            // bgpdump text: RIB records go straight into the output bytes when they can.
            const w = text?.formatRaw(raw, out.sink) ? out.maybeFlush() : events ? onEvents(raw) : onItem(decodeItem(raw));
            if (w) await w;
          }
          for (const p of batch.problems) {
            const w = onItem(p);
            if (w) await w;
          }
        }
      } catch (e) {
        if (e instanceof PipeClosed) throw e;
        io.err.write(`smoketrace mrt dump: ${file}: ${(e as Error).message}\n`);
        status = 1;
      }
      if (hidden > 0) io.err.write(`smoketrace mrt dump: ${file}: ${hidden} more problem(s) not shown\n`);
    }
    await out.flush();
  } catch (e) {
    if (e instanceof PipeClosed) return 0;
    throw e;
  }
  return status;
}

export function registerMrtCommands(program: Command): void {
  const mrt = program.command('mrt').description('read MRT files (RFC 6396: TABLE_DUMP, TABLE_DUMP_V2, BGP4MP)');
  mrt
    .command('dump')
    .description('print MRT records: --format bgpdump prints what `bgpdump -m` prints; jsonl one RouteEvent per line')
    .argument('<file...>', 'MRT files: plain, .gz or .bz2 (told by their first bytes)')
    .option('--format <format>', 'bgpdump | jsonl', 'bgpdump')
    .action(async (files: string[], opts: { format: string }) => {
      if (opts.format !== 'bgpdump' && opts.format !== 'jsonl') {
        process.stderr.write(`smoketrace mrt dump: --format must be bgpdump or jsonl, not ${opts.format}\n`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await mrtDump(files, opts.format, { out: process.stdout, err: process.stderr });
    });
  registerMrtImportCommand(mrt);
}
