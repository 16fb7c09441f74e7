// Shared by the service tests: a Service on loopback with the BMP collector on port 0,
// the real `smoketrace replay` process, what an MRT file says, and polling.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mrtRouteEvents } from '../../src/codec/mrt/route-events.ts';
import { fromRaw } from '../../src/config/load.ts';
import { mrtFileRawBatches } from '../../src/feeds/mrt-file.ts';
import { createLogger } from '../../src/log.ts';
import { formatAddress } from '../../src/model/address.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { Service, type ServiceDeps } from '../../src/service.ts';
import { attributesJson } from '../../src/store/attributes-json.ts';
import { bin, cleanEnv } from '../cli/cli-process.ts';

type After = { after(fn: () => void | Promise<void>): void };

export function tempDir(t: After, name = 'service'): string {
  const dir = mkdtempSync(join(tmpdir(), `smoketrace-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Running {
  readonly service: Service;
  readonly url: string;
  /** 0 when [bmp] is not enabled. */
  readonly bmpPort: number;
  get(path: string): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A started Service: API and BMP on 127.0.0.1 port 0, storage in a temp dir. */
export async function startService(
  t: After,
  sets: readonly string[] = [],
  deps: Partial<ServiceDeps> = {},
  raw: Record<string, unknown> = {},
): Promise<Running> {
  const dir = tempDir(t);
  const r = fromRaw(
    raw,
    {
      env: {},
      sets: ['api.listen=127.0.0.1:0', 'bmp.enabled=true', 'bmp.listen=127.0.0.1:0', `storage.path=${join(dir, 'db.sqlite')}`, 'log.level=silent', ...sets],
    },
    { path: 'test', how: 'given' },
  );
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  const service = new Service(r.config, { logger: createLogger({ level: 'silent' }), version: '0.0.0-test', flushEveryMs: 50, ...deps });
  await service.start();
  t.after(() => service.stop());
  const url = service.api.url!;
  const bmpPort = service.bmpAddress()?.port ?? 0;
  return {
    service,
    url,
    bmpPort,
    async get(path: string) {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, body: await res.json() };
    },
  };
}

/** Polls `fn` until it returns a truthy value (or fails after `ms`), returning that value. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Replay {
  readonly proc: ChildProcess;
  output(): string;
  /** Resolves when the replay says everything is sent (with --keep-open). */
  readonly sent: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the real `smoketrace replay FILES --bmp 127.0.0.1:PORT ARGS`. Killed (by its PID) after the test if still running. */
export function startReplay(t: After, files: readonly string[], port: number, args: readonly string[] = ['--keep-open']): Replay {
  const proc = spawn(process.execPath, [bin, 'replay', ...files, '--bmp', `127.0.0.1:${port}`, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const sent = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('all sent to')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then(({ code }) => (out.includes('all sent to') ? resolve() : reject(new Error(`replay exited with ${code} before sending everything:\n${out}`))));
  });
  return { proc, output: () => out, sent, exited };
}

/** A route as the tests compare it: what the MRT says about it, keyed by peer and table. */
export interface Expected {
  readonly peer: string;
  readonly asn: number;
  readonly table: string;
  readonly attrs: ReturnType<typeof attributesJson>;
}

/**
 * What the MRT files say, applied in order (announce sets, withdraw removes), per prefix:
 * the routes a RIB must hold afterwards. `only` limits it to some prefixes.
 */
export async function mrtSays(files: readonly string[], only?: ReadonlySet<string>): Promise<Map<string, Map<string, Expected>>> {
  const out = new Map<string, Map<string, Expected>>();
  for (const file of files) {
    const conv = mrtRouteEvents({ router: 'x', received: () => 0 });
    for await (const batch of mrtFileRawBatches(file)) {
      for (const raw of batch.records) {
        for (const e of conv.convertRaw(raw)) {
          const p = formatPrefix(e.prefix);
          if (only && !only.has(p)) continue;
          const peer = formatAddress(e.peer.address);
          const k = `${peer} ${e.table}${e.pathId !== undefined ? ` ${e.pathId}` : ''}`;
          let m = out.get(p);
          if (!m) out.set(p, (m = new Map()));
          if (e.kind === 'announce') m.set(k, { peer, asn: e.peer.asn, table: e.table, attrs: attributesJson(e.attrs) });
          else m.delete(k);
        }
        conv.takeProblems();
      }
    }
  }
  for (const [p, m] of out) if (m.size === 0) out.delete(p);
  return out;
}

/** The API's routes in the comparable form, sorted. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function comparable(routes: any[]): unknown[] {
  return routes
    .map((r) => ({
      peer: r.peer.address,
      asn: r.peer.asn,
      table: r.table,
      asPath: r.asPath,
      nextHop: r.nextHop,
      origin: r.origin,
      med: r.med,
      localPref: r.localPref,
      communities: r.communities,
      largeCommunities: r.largeCommunities,
    }))
    .sort((a, b) => (`${a.peer} ${a.table}` < `${b.peer} ${b.table}` ? -1 : 1));
}

export function expectedComparable(m: Map<string, Expected> | undefined): unknown[] {
  return [...(m?.values() ?? [])]
    .map((e) => ({
      peer: e.peer,
      asn: e.asn,
      table: e.table,
      asPath: e.attrs.asPath,
      nextHop: e.attrs.nextHop,
      origin: e.attrs.origin,
      med: e.attrs.med,
      localPref: e.attrs.localPref,
      communities: e.attrs.communities,
      largeCommunities: e.attrs.largeCommunities,
    }))
    .sort((a, b) => (`${a.peer} ${a.table}` < `${b.peer} ${b.table}` ? -1 : 1));
}
