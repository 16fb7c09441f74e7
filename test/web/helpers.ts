// Shared by the console tests: a trace backend whose samples have a spread (so the graph
// has smoke) and an exact median, a BMP session of our own (route changes at the time
// the test chooses, which a replayed MRT file cannot give), headless Chromium, and rows
// for tests that fill a real SQLite file directly.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { parseAddress } from '../../src/model/address.ts';
import type { PathChange } from '../../src/model/path-change.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import type { RouteChange } from '../../src/model/route-change.ts';
import type { Hop, Trace } from '../../src/model/trace.ts';
import type { TraceBackend, TraceRequest } from '../../src/probe/backends/types.ts';
import { encodeBmpMessage } from '../../src/codec/bmp/index.ts';
import { announceMsg, initiation, peerHeader, peerUp, update, addr } from '../codec/bmp/util.ts';
import { routeMonitoringOf } from '../../src/codec/bmp/index.ts';
import { needTool, repoRoot } from '../helpers/requirements.ts';

export const artifacts = join(repoRoot, 'test-artifacts', 'web');

export interface PathScript {
  /** Middle hops; the target is appended. */
  path: string[];
  rttMs: number;
  /** Percent of the destination's 10 probes unanswered. */
  lossPct: number;
}

// Offsets around the median: sorted, the 5th and 6th are 0, so the median is rttMs exactly.
const OFFSETS = [-2.5, -1.5, -1, -0.5, 0, 0, 0.8, 1.6, 3, 7];

/** Traces from a script per target address; the spread of each trace differs, its median does not. */
export class SmokeBackend implements TraceBackend {
  readonly name = 'mtr' as const;
  readonly scripts = new Map<string, PathScript>();
  private n = 0;

  estimatePackets(): number {
    return 10;
  }

  async trace(req: TraceRequest): Promise<Trace> {
    const s = this.scripts.get(req.target);
    if (!s) throw new Error(`no script for ${req.target}`);
    const k = 0.5 + ((this.n++ * 7) % 10) / 6;
    const start = Date.now() + 0.25;
    const got = Math.round(10 * (1 - s.lossPct / 100));
    const hop = (ttl: number, address: string, received: number, rtts: number[]): Hop => ({ ttl, sent: 10, received, responders: [{ address, rtts, received }] });
    const hops = s.path.map((a, i) => hop(i + 1, a, 10, OFFSETS.map((o) => 1 + i * 2 + Math.abs(o) * 0.1)));
    // Lost probes take samples from both ends, so the median stays put.
    const samples = OFFSETS.map((o) => Math.round((s.rttMs + o * k) * 1000) / 1000);
    const drop = 10 - got;
    const kept = samples.slice(Math.floor(drop / 2), 10 - Math.ceil(drop / 2));
    hops.push(hop(hops.length + 1, req.target, got, kept));
    return { target: req.target, backend: 'mtr', method: req.method ?? 'icmp', start, end: start + 40, reached: got > 0, hops };
  }
}

/** A BMP router of our own on loopback (source address `from`), one peer, IPv4 unicast. */
export class BmpRouter {
  private sock: Socket | undefined;
  constructor(
    private readonly port: number,
    private readonly from: string,
    readonly peer = { address: '10.88.0.1', asn: 65201 },
  ) {}

  private header(time = Date.now()) {
    return peerHeader({ address: addr(this.peer.address), asn: this.peer.asn, bgpId: addr(this.peer.address), seconds: Math.floor(time / 1000), microseconds: (time % 1000) * 1000 });
  }

  async connect(sysName: string): Promise<void> {
    const sock = connect({ host: '127.0.0.1', port: this.port, localAddress: this.from });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    this.sock = sock;
    await this.send(encodeBmpMessage(initiation('smoketrace console test', sysName)));
    await this.send(encodeBmpMessage(peerUp(this.header(), 64511)));
  }

  /** Announces `prefix` with `path` now; `endOfRib` after the first announcement. */
  async announce(prefix: string, path: number[]): Promise<void> {
    await this.send(encodeBmpMessage(announceMsg(this.header(), [prefix], path)));
  }

  async endOfRib(): Promise<void> {
    await this.send(encodeBmpMessage(routeMonitoringOf(this.header(), update({}), { as4: true })));
  }

  private send(b: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.sock!.write(b, (e) => (e ? reject(e) : resolve())));
  }

  close(): void {
    this.sock?.destroy();
  }
}

export interface Console {
  readonly browser: Browser;
  readonly errors: string[];
  /** A new page at the given size, its console errors and page errors collected. */
  page(width: number, height: number, colorScheme?: 'light' | 'dark'): Promise<Page>;
}

/** Headless Debian Chromium via playwright-core, or undefined (test skipped) when absent. */
export async function startChromium(t: TestContext): Promise<Console | undefined> {
  if (!needTool(t, 'chromium')) return undefined;
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The machine's network is closed: without these Chromium keeps trying Google's hosts.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  t.after(() => browser.close());
  const errors: string[] = [];
  return {
    browser,
    errors,
    async page(width, height, colorScheme = 'light') {
      const ctx = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, timezoneId: 'Europe/Paris', colorScheme });
      const page = await ctx.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      return page;
    },
  };
}

/** Reads an SSE response from a real socket (inject cannot stream). */
export function openStream(url: string): Promise<{ chunks: string[]; close(): void; pause(): void; next(re: RegExp, ms?: number): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      const chunks: string[] = [];
      let text = '';
      const waiters: { re: RegExp; done: (s: string) => void }[] = [];
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        chunks.push(d);
        text += d;
        for (const w of [...waiters]) {
          const m = w.re.exec(text);
          if (m) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done(m[0]);
          }
        }
      });
      resolve({
        chunks,
        close: () => req.destroy(),
        pause: () => res.pause(),
        next: (re, ms = 5000) =>
          new Promise((ok, fail) => {
            const m = re.exec(text);
            if (m) return ok(m[0]);
            const timer = setTimeout(() => fail(new Error(`no ${re} in ${JSON.stringify(text)}`)), ms);
            waiters.push({ re, done: (s) => (clearTimeout(timer), ok(s)) });
          }),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- stored rows

/** A two-hop trace to `target` at `start`: the destination at `rttMs` (median), or unanswered. */
export function storedTrace(target: string, start: number, rttMs: number, reached = true): Trace {
  return {
    target,
    backend: 'mtr',
    method: 'icmp',
    start,
    end: start + 40,
    reached,
    hops: [
      { ttl: 1, sent: 10, received: 10, responders: [{ address: '10.0.0.1', rtts: [1, 1, 1], received: 10 }] },
      reached ? { ttl: 2, sent: 10, received: 10, responders: [{ address: target, rtts: [rttMs - 1, rttMs, rttMs + 1], received: 10 }] } : { ttl: 2, sent: 10, received: 0, responders: [] },
    ],
  };
}

/** The store keeps a PathChange as JSON; this carries what the API and console read (kind, at, since, reasons). */
export function storedPathChange(target: string, at: number, n: number): PathChange {
  return { target, kind: 'rtt', at, since: at - 1000, reasons: [`change ${n}`] } as unknown as PathChange;
}

/** A BMP route change of `prefix` from peer `peer` (AS `before[0]`) on `router`, AS path `before` -> `after`. */
export function storedRouteChange(prefix: string, time: number, o: { router: string; peer: string; before: number[]; after: number[] }): RouteChange {
  const attrs = (asPath: number[]) => ({ asPath, nextHop: parseAddress(o.peer)!, origin: 'igp' as const, communities: [], largeCommunities: [] });
  return {
    kind: 'path-change',
    cause: 'update',
    source: 'bmp',
    router: o.router,
    peer: { address: parseAddress(o.peer)!, asn: o.before[0] },
    table: 'adj-rib-in-pre',
    prefix: parsePrefix(prefix)!,
    before: attrs(o.before),
    after: attrs(o.after),
    time,
  };
}
