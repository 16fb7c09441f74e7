// The NOC console (src/web/) served by the API itself:
//   GET /                        index.html (no-cache: it names the current build)
//   GET /assets/<build>/<name>   the console's modules and CSS, and uPlot from node_modules
// Every asset is read once at start-up into a map; a request is answered only from that
// map by exact name, so no path from a URL ever reaches the file system (no traversal).
// <build> is a hash of every asset: a build's URLs never change content, so they are
// cached for a year ("immutable"); an old page asking for an old build gets the current
// files with no-cache instead of a 404 after an upgrade. Nothing comes from the internet.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9]+)+$/;

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** src/web beside src/api when run from the sources; dist/web when bundled (scripts/build.mjs copies it). */
export function webDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const d of [join(here, '..', 'web'), join(here, 'web')]) if (existsSync(join(d, 'index.html'))) return d;
  throw new Error(`the console's files (index.html) are not in ${join(here, '..', 'web')} or ${join(here, 'web')}`);
}

/** Every file of the console, or why not (a broken install must not take the API down with it). */
function load(dir: string | undefined): { files: Map<string, Asset>; index: Asset; build: string } {
  const root = dir ?? webDir();
  const files = new Map<string, Asset>();
  for (const name of readdirSync(root).sort()) {
    if (name === 'index.html' || !NAME.test(name) || !(name.slice(name.lastIndexOf('.')) in TYPES)) continue;
    files.set(name, asset(name, readFileSync(join(root, name))));
  }
  for (const [name, path] of Object.entries(vendorFiles())) files.set(name, asset(name, readFileSync(path)));
  const h = createHash('sha256');
  for (const [name, a] of files) h.update(name).update(a.etag);
  const build = h.digest('hex').slice(0, 12);
  const index = asset('index.html', Buffer.from(readFileSync(join(root, 'index.html'), 'utf8').replaceAll('{{BUILD}}', build)));
  return { files, index, build };
}

function vendorFiles(): Record<string, string> {
  const dist = dirname(createRequire(import.meta.url).resolve('uplot'));
  return { 'uplot.js': join(dist, 'uPlot.esm.js'), 'uplot.css': join(dist, 'uPlot.min.css') };
}

function asset(name: string, body: Buffer): Asset {
  const ext = name.slice(name.lastIndexOf('.'));
  return { body, type: TYPES[ext], etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

// The console is the API's own origin and loads nothing else; style-src allows inline
// style attributes (the path diagram's SVG carries its own, so an exported file is whole).
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const webRoutes: FastifyPluginAsync<{ dir?: string }> = async (app, opts) => {
  let loaded: ReturnType<typeof load>;
  try {
    loaded = load(opts.dir);
  } catch (e) {
    const why = `the console cannot be served: ${(e as Error).message}`;
    app.log.error(why);
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.status(503).send(errorBody('UNAVAILABLE', why)));
    return;
  }
  const { files, index, build } = loaded;

  const send = (req: FastifyRequest, reply: FastifyReply, a: Asset, cache: string) => {
    reply.header('content-type', a.type).header('cache-control', cache).header('etag', a.etag).header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
    return reply.send(a.body);
  };

  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
    return send(req, reply, index, 'no-cache');
  });

  app.get<{ Params: { build: string; name: string } }>('/assets/:build/:name', { schema: { hide: true } }, async (req, reply) => {
    const a = NAME.test(req.params.name) ? files.get(req.params.name) : undefined;
    if (!a) return reply.status(404).send(errorBody('NOT_FOUND', 'no such console asset'));
    return send(req, reply, a, req.params.build === build ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
};
