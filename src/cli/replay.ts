// `smoketrace replay FILE... --bmp HOST:PORT [--speed N] [--keep-open]`: sends the MRT
// content of FILEs to a BMP collector as one BMP session from a router named
// "smoketrace-replay" (replay/mrt-bmp.ts says what is sent). An operator's tool for
// testing collectors, and our own load generator.
//
// --speed N: BGP4MP updates go out at N times their recorded pace (the gaps between
// record times divided by N); 0 or "max" (the default) sends as fast as the collector
// takes them. RIB dumps always go as fast as possible. Writes are gathered into ~256 KiB
// pieces and wait for the socket to drain, so a slow collector slows the replay instead of
// filling memory. --keep-open holds the session after everything is sent (routes stay in
// the collector's RIB) until SIGINT/SIGTERM, then ends it with a Termination like the
// normal end. Exit status: 0 sent (problems inside the files are reported on stderr, as
// `mrt dump` does), 1 the collector could not be reached or closed the session, or a file
// could not be read, 2 usage.
import { type Socket, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { MrtToBmp, type ReplayMessage } from '../replay/mrt-bmp.ts';
import { decodeItem, mrtFileRawBatches } from '../feeds/mrt-file.ts';

export interface ReplayOptions {
  readonly host: string;
  readonly port: number;
  /** 0: as fast as possible. */
  readonly speed: number;
  readonly keepOpen: boolean;
  readonly localAs?: number;
  readonly sysName?: string;
}

export interface ReplayIo {
  readonly out: Writable;
  readonly err: Writable;
  /** Aborted by SIGINT/SIGTERM: stop sending (or holding) and end with a Termination. */
  readonly signal: AbortSignal;
}

const FLUSH_AT = 256 * 1024;
const MAX_PROBLEM_LINES = 50;

class SessionClosed extends Error {}

/** Gathers messages into large writes and honours the socket's backpressure. */
class Sender {
  private parts: Uint8Array[] = [];
  private size = 0;
  bytes = 0;
  messages = 0;
  closed = false;
  error: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('error', (e) => {
      this.error = e;
      this.closed = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  async send(m: Uint8Array): Promise<void> {
    this.parts.push(m);
    this.size += m.length;
    this.messages++;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.closed) throw new SessionClosed(this.error ? this.error.message : 'the collector closed the connection');
    if (this.size === 0) return;
    const buf = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.bytes += this.size;
    this.size = 0;
    if (!this.socket.write(buf)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off('drain', done);
          this.socket.off('close', done);
          resolve();
        };
        this.socket.on('drain', done);
        this.socket.on('close', done);
      });
    }
    if (this.closed) throw new SessionClosed(this.error ? this.error.message : 'the collector closed the connection');
  }
}

export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2], port };
}

export function parseSpeed(s: string): number | undefined {
  if (s === 'max') return 0;
  if (!/^\d+(\.\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

async function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Runs the replay; resolves to the exit status. */
export async function replay(files: readonly string[], o: ReplayOptions, io: ReplayIo): Promise<number> {
  const started = performance.now();
  const target = `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  let socket: Socket;
  try {
    socket = await open(o.host, o.port);
  } catch (e) {
    io.err.write(`smoketrace replay: cannot connect to the BMP collector at ${target}: ${(e as Error).message}\n`);
    return 1;
  }
  const sender = new Sender(socket);
  const conv = new MrtToBmp({ localAs: o.localAs, sysName: o.sysName });
  let status = 0;
  let shown = 0;
  const report = (line: string) => {
    if (shown++ < MAX_PROBLEM_LINES) io.err.write(`smoketrace replay: ${line}\n`);
  };
  let t0: number | undefined;
  let w0 = 0;
  const msgs: ReplayMessage[] = [];
  const sendAll = async () => {
    for (const m of msgs) {
      if (io.signal.aborted) break;
      if (m.time !== undefined && o.speed > 0) {
        if (t0 === undefined) {
          t0 = m.time;
          w0 = performance.now();
        } else {
          const wait = w0 + (m.time - t0) / o.speed - performance.now();
          if (wait > 1) {
            await sender.flush();
            await sleep(wait, undefined, { signal: io.signal }).catch(() => {});
          }
        }
      }
      await sender.send(m.bytes);
    }
    msgs.length = 0;
  };

  try {
    await sender.send(conv.initiation());
    for (const file of files) {
      if (io.signal.aborted) break;
      try {
        for await (const batch of mrtFileRawBatches(file, io.signal)) {
          for (const raw of batch.records) {
            const item = decodeItem(raw);
            if (item.kind === 'record') conv.record(item.record, msgs);
            else if (item.kind === 'decode-error') report(`${file}: record at byte ${item.offset} (type ${item.type}/${item.subtype}) skipped: ${item.error.message}`);
            if (msgs.length > 0) await sendAll();
            if (io.signal.aborted) break;
          }
          for (const p of batch.problems) if (p.kind === 'framing' || p.kind === 'truncated') report(`${file}: ${p.error.message}`);
          for (const line of conv.problems.splice(0)) report(`${file}: ${line}`);
        }
      } catch (e) {
        if (e instanceof SessionClosed) throw e;
        if (!io.signal.aborted) {
          report(`${file}: ${(e as Error).message}`);
          status = 1;
        }
      }
      conv.endFile(msgs);
      await sendAll();
    }
    await sender.flush();
    if (o.keepOpen && !io.signal.aborted) {
      io.out.write(`replay: all sent to ${target}; holding the BMP session open until SIGINT/SIGTERM\n`);
      await new Promise<void>((resolve) => {
        if (io.signal.aborted || sender.closed) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
        socket.once('close', () => resolve());
      });
      if (sender.closed) throw new SessionClosed(sender.error ? sender.error.message : 'the collector closed the connection');
    }
    await sender.send(conv.termination(io.signal.aborted ? 'replay interrupted' : 'replay finished'));
    await sender.flush();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  } catch (e) {
    if (!(e instanceof SessionClosed)) throw e;
    socket.destroy();
    io.err.write(`smoketrace replay: ${target}: ${e.message} after ${sender.bytes} bytes\n`);
    status = 1;
  }
  const s = conv.stats;
  const secs = (performance.now() - started) / 1000;
  if (shown > MAX_PROBLEM_LINES) io.err.write(`smoketrace replay: ${shown - MAX_PROBLEM_LINES} more problem(s) not shown\n`);
  io.out.write(
    `replay: ${files.length} file(s), ${s.records} records -> ${sender.messages} BMP messages to ${target} ` +
      `(${s.peerUps} peer up, ${s.peerDowns} peer down, ${s.routeMonitoring} route monitoring, ${s.endOfRib} end-of-rib); ` +
      `${s.peers} peers, ${s.announced} RIB entries, ${shown} problem(s), ` +
      `${sender.bytes} bytes in ${secs.toFixed(2)} s\n`,
  );
  return status;
}
