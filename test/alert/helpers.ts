// An Alerter on a real Store (a SQLite file in a temp dir) built from a real Config, as
// the service builds it, and a loopback HTTP server standing in for a chat webhook.
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Alerter, alerterFromConfig } from '../../src/alert/alerter.ts';
import type { Timers } from '../../src/component.ts';
import { fromRaw } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { type Logger, createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';

type After = { after(fn: () => void | Promise<void>): void };

export function config(dir: string, sets: readonly string[], raw: Record<string, unknown> = {}): Config {
  const r = fromRaw(raw, { env: {}, sets: [`storage.path=${join(dir, 'db.sqlite')}`, 'log.level=silent', ...sets] }, { path: 'test', how: 'given' });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  return r.config;
}

export interface Running {
  readonly store: Store;
  readonly alerter: Alerter;
  stop(): Promise<void>;
}

/** Store then Alerter started; stop() stops them in reverse, as the service does. */
export async function startAlerter(t: After, cfg: Config, opts: { now?: () => number; timers?: Timers; logger?: Logger } = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger({ level: 'silent' });
  const store = new Store({ path: cfg.storage.path, version: '0.0.0-test', logger });
  await store.start();
  const alerter = alerterFromConfig(cfg, { repo: () => store.alerts, ...opts, logger });
  await alerter.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await alerter.stop();
    await store.stop();
  };
  t.after(stop);
  return { store, alerter, stop };
}

export interface Hook {
  readonly url: string;
  readonly posts: { headers: IncomingMessage['headers']; body: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** HTTP status to answer with (200 by default); 0: never answer (a hung receiver). */
  status: number;
  /** Requests held open while status is 0. */
  readonly held: number;
  /** Answers every held request with 503. */
  release(): void;
  close(): Promise<void>;
}

/** A chat webhook on 127.0.0.1 with a secret in its path, keeping every JSON POST. */
export async function webhook(t: After): Promise<Hook> {
  const held: ServerResponse[] = [];
  const hook: { -readonly [K in keyof Hook]: Hook[K] } = {
    url: '',
    posts: [],
    status: 200,
    get held() {
      return held.length;
    },
    release: () => {
      for (const res of held.splice(0)) res.writeHead(503).end();
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (hook.status === 0) {
        held.push(res);
        return;
      }
      if (hook.status < 300) hook.posts.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(hook.status).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/SECRETPATH/xyz`;
  hook.close = () => {
    hook.release();
    return new Promise<void>((r) => server.close(() => r()));
  };
  server.unref();
  t.after(() => hook.close());
  return hook;
}
