// Streams MRT records out of a file: plain, gzip (node:zlib) or bzip2 (the system
// `bzip2 -dc`, spawned with an argument array, never a shell). The compression is told
// by the first bytes, not the name. Nothing holds the whole file: records are framed out
// of the decompressed chunks as they arrive (codec/mrt/framing.ts) and handed out in
// batches, one batch per chunk.
//
// Problems never end the stream early unless the bytes themselves end: a record whose
// body does not decode is an item of its own ({ kind: 'decode-error' }) and reading goes
// on at the next record boundary; a cut compressed stream or a cut last record is a
// { kind: 'truncated' } item at the end, after every record that was whole.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { DecodeError } from '../codec/errors.ts';
import { type FramingProblem, MrtFramer, type RawMrtRecord, framingError } from '../codec/mrt/framing.ts';
import { decodeMrtRecord } from '../codec/mrt/index.ts';
import { mrtRouteEvents } from '../codec/mrt/route-events.ts';
import type { MrtRecord } from '../codec/mrt/types.ts';
import type { RouteEvent } from '../model/route-event.ts';

export type Compression = 'none' | 'gzip' | 'bzip2';

export type MrtFileItem =
  | { readonly kind: 'record'; readonly record: MrtRecord }
  | { readonly kind: 'decode-error'; readonly offset: number; readonly type: number; readonly subtype: number; readonly error: DecodeError }
  | { readonly kind: 'framing'; readonly error: DecodeError }
  | { readonly kind: 'truncated'; readonly error: DecodeError };

/** gzip: 1f 8b. bzip2: "BZh" + block size digit. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3] >= 0x31 && head[3] <= 0x39) {
    return 'bzip2';
  }
  return 'none';
}

export async function sniffCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

const CHUNK = 1 << 20;

/**
 * The decompressed bytes of `path`, chunk by chunk. A damaged or cut compressed stream
 * ends the iteration normally after its last good bytes and is reported through
 * `onTruncated` (the caller decides what that means); a file that cannot be read, or a
 * missing bzip2, throws.
 */
async function* decompressed(
  path: string,
  signal: AbortSignal | undefined,
  onTruncated: (why: string) => void,
): AsyncGenerator<Uint8Array> {
  const kind = await sniffCompression(path);
  if (kind === 'none') {
    yield* createReadStream(path, { highWaterMark: CHUNK, signal });
    return;
  }
  if (kind === 'gzip') {
    const gunzip = createGunzip({ chunkSize: CHUNK });
    const src = createReadStream(path, { highWaterMark: CHUNK, signal });
    src.on('error', (e) => gunzip.destroy(e));
    src.pipe(gunzip);
    try {
      for await (const c of gunzip) yield c as Buffer;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      // zlib's errors on a cut or corrupt stream; anything else (I/O) is the caller's.
      if (err.code === 'Z_BUF_ERROR' || err.code === 'Z_DATA_ERROR' || err.errno === -5 || /unexpected end/i.test(err.message)) {
        onTruncated(`gzip stream: ${err.message}`);
        return;
      }
      throw e;
    } finally {
      src.destroy();
    }
    return;
  }
  yield* bunzip(path, signal, onTruncated);
}

/**
 * bzip2's command line decoder reads in 5,000-byte steps and drops the step it was in when
 * the stream turns out to be cut, so a truncated .bz2 loses up to 5,000 decoded bytes that
 * libbz2 (and so bgpdump) still delivers. When bzip2 reports a damaged stream we ask
 * python3's bz2 module (libbz2, streaming) for the bytes past what bzip2 gave us. This is
 * the only use of python3; without it the tail is lost and the truncation still reported.
 */
const PY_TAIL = [
  'import bz2, sys',
  'skip = int(sys.argv[2]); d = bz2.BZ2Decompressor(); out = sys.stdout.buffer',
  'with open(sys.argv[1], "rb") as f:',
  '    while True:',
  '        c = f.read(1 << 16)',
  '        if not c or d.eof: break',
  '        try: b = d.decompress(c)',
  '        except (OSError, EOFError): break',
  '        if skip >= len(b): skip -= len(b); continue',
  '        out.write(b[skip:]); skip = 0',
].join('\n');

async function* bunzip(path: string, signal: AbortSignal | undefined, onTruncated: (why: string) => void): AsyncGenerator<Uint8Array> {
  const r = yield* runDecoder('bzip2', ['-dc', '--', path], signal);
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('bzip2 is not installed (needed for .bz2 MRT files)');
    throw r.error;
  }
  if (r.code === 0) return;
  const first = r.stderr.split('\n').find((l) => l.trim() !== '') ?? `exit status ${r.code}`;
  onTruncated(`bzip2 stream: ${first.replace(/^bzip2: /, '')}`);
  // The tail bzip2 held back (see above); errors here only mean the tail stays lost.
  yield* runDecoder('python3', ['-c', PY_TAIL, path, String(r.bytes)], signal);
}

/** Runs a decoder child (argument array, no shell), yields its stdout; returns how it ended. */
async function* runDecoder(
  cmd: string,
  args: string[],
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array, { code: number | null; error?: Error; stderr: string; bytes: number }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 4096) stderr += d;
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, error }));
    child.on('close', (code) => resolve({ code }));
  });
  let bytes = 0;
  let done = false;
  try {
    for await (const c of child.stdout) {
      bytes += (c as Buffer).length;
      yield c as Buffer;
    }
    done = true;
  } finally {
    if (!done && child.exitCode === null) child.kill();
  }
  const { code, error } = await exited;
  return { code, error, stderr, bytes };
}

function problemItem(p: FramingProblem): MrtFileItem {
  const error = framingError(p);
  return p.kind === 'truncated-header' || p.kind === 'truncated-record' ? { kind: 'truncated', error } : { kind: 'framing', error };
}

export function decodeItem(raw: RawMrtRecord): MrtFileItem {
  try {
    return { kind: 'record', record: decodeMrtRecord(raw) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { kind: 'decode-error', offset: raw.offset, type: raw.header.type, subtype: raw.header.subtype, error: e };
  }
}

/** One decompressed chunk's worth: whole records (views into the chunk), then problems. */
export interface MrtRawBatch {
  readonly records: readonly RawMrtRecord[];
  /** Framing problems and, at the end, truncation: items of kind 'framing' | 'truncated'. */
  readonly problems: readonly MrtFileItem[];
}

/**
 * Framed but undecoded records, one batch per decompressed chunk, for readers that decode
 * records their own way (mrt dump's fast path). mrtFileItems is this plus decodeItem.
 */
export async function* mrtFileRawBatches(path: string, signal?: AbortSignal): AsyncGenerator<MrtRawBatch> {
  const framer = new MrtFramer();
  let cut: string | undefined;
  for await (const chunk of decompressed(path, signal, (why) => {
    cut = why;
  })) {
    const records: RawMrtRecord[] = [];
    framer.push(chunk, (raw) => records.push(raw));
    const problems = framer.takeProblems().map(problemItem);
    if (records.length > 0 || problems.length > 0) yield { records, problems };
  }
  const tail = framer.end().map(problemItem);
  if (cut !== undefined) tail.push({ kind: 'truncated', error: new DecodeError('mrt', 'compressed-stream-cut', 0, cut) });
  if (tail.length > 0) yield { records: [], problems: tail };
}

/** Batches of items, one per decompressed chunk. */
export async function* mrtFileItems(path: string, signal?: AbortSignal): AsyncGenerator<MrtFileItem[]> {
  for await (const b of mrtFileRawBatches(path, signal)) {
    const batch: MrtFileItem[] = b.records.map(decodeItem);
    for (const p of b.problems) batch.push(p);
    yield batch;
  }
}

export type MrtFeedEvent =
  | { readonly kind: 'route'; readonly event: RouteEvent }
  | { readonly kind: 'decode-error'; readonly offset: number; readonly error: DecodeError };

/**
 * The feed interface (DESIGN.md): RouteEvents of one MRT file; malformed records are
 * events too. `router` is the file's base name.
 */
export class MrtFileFeed {
  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  async *events(signal?: AbortSignal): AsyncIterable<MrtFeedEvent> {
    const conv = mrtRouteEvents({ router: basename(this.path), received: this.now });
    for await (const batch of mrtFileRawBatches(this.path, signal)) {
      for (const raw of batch.records) {
        let events: RouteEvent[];
        try {
          events = conv.convertRaw(raw);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          yield { kind: 'decode-error', offset: raw.offset, error: e };
          continue;
        }
        for (const event of events) yield { kind: 'route', event };
        for (const error of conv.takeProblems()) yield { kind: 'decode-error', offset: raw.offset, error };
      }
      for (const item of batch.problems) {
        if (item.kind === 'framing' || item.kind === 'truncated') yield { kind: 'decode-error', offset: item.error.offset, error: item.error };
      }
    }
  }
}
