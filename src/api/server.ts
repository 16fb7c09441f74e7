// The API as a component: start() builds the app and listens on [api] listen,
// stop() stops accepting, lets requests in flight finish and closes.
import type { FastifyInstance } from 'fastify';
import type { Component, ComponentHealth } from '../component.ts';
import type { ListenAddress } from '../config/values.ts';
import type { Logger } from '../log.ts';
import { type AppOptions, buildApp } from './app.ts';

export interface ApiServerOptions extends Omit<AppOptions, 'logger'> {
  readonly listen: ListenAddress;
  readonly logger: Logger;
}

export class ApiServer implements Component {
  readonly name = 'api';
  private app: FastifyInstance | undefined;
  private status: ComponentHealth = { state: 'stopped', detail: 'not started' };
  private boundUrl: string | undefined;

  constructor(private readonly opts: ApiServerOptions) {}

  async start(): Promise<void> {
    if (this.app) return;
    this.status = { state: 'starting' };
    const app = await buildApp(this.opts);
    try {
      await app.listen({ host: this.opts.listen.host, port: this.opts.listen.port });
    } catch (e) {
      await app.close();
      const why = `cannot listen on ${this.opts.listen.text} (api.listen): ${(e as Error).message}`;
      this.status = { state: 'failed', detail: why };
      throw new Error(why, { cause: e });
    }
    this.app = app;
    this.boundUrl = urlOf(app);
    this.status = { state: 'ok' };
    // Port 0 picks a free port: this line is how operators and tests learn it.
    this.opts.logger.info({ url: this.boundUrl }, `listening on ${this.boundUrl}`);
  }

  async stop(): Promise<void> {
    const app = this.app;
    if (!app) return;
    this.app = undefined;
    await app.close();
    this.status = { state: 'stopped' };
    this.opts.logger.info('api closed');
  }

  health(): ComponentHealth {
    return this.status;
  }

  /** "http://127.0.0.1:8080" once listening. */
  get url(): string | undefined {
    return this.boundUrl;
  }
}

function urlOf(app: FastifyInstance): string {
  const a = app.server.address();
  if (a === null || typeof a === 'string') return String(a);
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
