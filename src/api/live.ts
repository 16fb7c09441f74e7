// GET /api/live: the LiveHub (src/live.ts) as server-sent events. Each hub event is one
//   event: <type>\nid: <n>\ndata: <the same JSON the REST API returns>\n\n
// A comment line (": keep-alive") goes out every heartbeatMs (15 s) so proxies and the
// browser see the stream alive. A client that does not read (its socket's write buffer
// over maxBufferedBytes) is disconnected rather than buffered without end: the browser's
// EventSource reconnects and the console reloads what it shows. A listener is removed as
// soon as its connection closes, and every stream is ended when the server closes (an
// open stream would otherwise keep close() waiting). At most maxClients (64) streams are
// open at once: each holds a socket and a listener on every event, and the endpoint
// needs no token, so past that a client gets 503 UNAVAILABLE saying why.
import type { ServerResponse } from 'node:http';
import { type FastifyPluginAsyncTypebox, Type } from '@fastify/type-provider-typebox';
import type { LiveEvent } from '../live.ts';
import { errorBody } from './errors.ts';

export interface LiveSource {
  subscribe(l: (e: LiveEvent) => void): () => void;
}

export interface LiveOptions {
  readonly live: LiveSource;
  /** Comment line interval (default 15 s). */
  readonly heartbeatMs?: number;
  /** A client's unsent bytes past which it is dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Open streams past which a new client gets 503 (default 64). */
  readonly maxClients?: number;
}

/** One event as SSE text. JSON never contains a raw newline, so `data:` is one line. */
export function sseFrame(e: LiveEvent, id: number): string {
  return `event: ${e.type}\nid: ${id}\ndata: ${JSON.stringify(e.data ?? null)}\n\n`;
}

export const liveRoutes: FastifyPluginAsyncTypebox<LiveOptions> = async (app, opts) => {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const maxClients = opts.maxClients ?? 64;
  const clients = new Set<() => void>();
  let seq = 0;
  // The same event goes to every client: serialise it once.
  let lastEvent: LiveEvent | undefined;
  let lastText = '';
  const text = (e: LiveEvent) => {
    if (e !== lastEvent) {
      lastEvent = e;
      lastText = sseFrame(e, ++seq);
    }
    return lastText;
  };

  app.addHook('preClose', async () => {
    for (const end of [...clients]) end();
  });

  app.get(
    '/api/live',
    {
      schema: {
        summary: 'Live events as server-sent events (text/event-stream)',
        description:
          'One `event: <type>` (route-change, trace, path-change, verdict, alert, target) and `data: <JSON>` per event, the JSON as the REST API returns it; a `: keep-alive` comment every 15 s. A client that falls more than 1 MiB behind is disconnected (EventSource reconnects). At most 64 streams are open at once; past that 503 UNAVAILABLE.',
        tags: ['live'],
        response: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: Type.String() } } }, 503: { $ref: 'ErrorResponse#' } },
      },
    },
    (req, reply) => {
      if (clients.size >= maxClients) {
        req.log.warn({ clients: clients.size }, 'live stream refused: too many open');
        return reply
          .status(503)
          .header('retry-after', '30')
          .send(errorBody('UNAVAILABLE', `too many live streams open (${clients.size}, at most ${maxClients}); close another console tab or try again later`));
      }
      reply.hijack();
      const res: ServerResponse = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n: connected\n\n');
      let closed = false;
      const send = (s: string) => {
        if (closed) return;
        if (res.writableLength > maxBuffered) {
          req.log.warn({ buffered: res.writableLength }, 'live client not reading; disconnected');
          end();
          res.destroy();
          return;
        }
        res.write(s);
      };
      const unsubscribe = opts.live.subscribe((e) => {
        send(text(e));
      });
      const timer = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
      timer.unref();
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        unsubscribe();
        clients.delete(end);
        if (!res.destroyed) res.end();
      };
      clients.add(end);
      res.on('close', end);
      res.on('error', end);
    },
  );
};
