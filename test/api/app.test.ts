import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { type Resource, buildApp } from '../../src/api/app.ts';
import { tokensEqual } from '../../src/api/auth.ts';
import type { ComponentHealth } from '../../src/component.ts';
import { createLogger } from '../../src/log.ts';
import { version } from '../../src/version.ts';

const TOKEN = 'test-token-0123456789abcdef';

// A stand-in write resource, built the way later resources will be: its routes guard
// writes with ctx.requireToken and validate their bodies.
const echoResource: Resource = (app, ctx) => {
  app.post(
    '/api/test/echo',
    {
      onRequest: ctx.requireToken,
      schema: { body: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }) },
    },
    async (req) => ({ echoed: (req.body as { name: string }).name }),
  );
  app.get('/api/test/boom', async () => {
    throw new Error('secret internal detail');
  });
};

async function app(
  t: { after(fn: () => Promise<unknown>): void },
  opts: { token?: string; components?: Record<string, ComponentHealth> } = {},
): Promise<FastifyInstance> {
  const a = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version,
    token: 'token' in opts ? opts.token : TOKEN,
    health: { version, uptimeSeconds: () => 42.7, components: () => opts.components ?? { store: { state: 'ok' }, api: { state: 'ok' } } },
    resources: [echoResource],
  });
  t.after(() => a.close());
  return a;
}

test('GET /api/health reports version, uptime and each component', async (t) => {
  const res = await (await app(t)).inject({ method: 'GET', url: '/api/health' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    status: 'ok',
    version,
    uptimeSeconds: 42,
    components: { store: { state: 'ok' }, api: { state: 'ok' } },
  });
});

test('a component that is not ok makes health 503 and degraded, with the reason', async (t) => {
  const components = { store: { state: 'failed' as const, detail: 'disk full' }, api: { state: 'ok' as const } };
  const res = await (await app(t, { components })).inject({ method: 'GET', url: '/api/health' });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().status, 'degraded');
  assert.deepEqual(res.json().components.store, { state: 'failed', detail: 'disk full' });
});

test('an unknown route is a 404 in the one error shape', async (t) => {
  const res = await (await app(t)).inject({ method: 'GET', url: '/api/nope?x=1' });
  assert.equal(res.statusCode, 404);
  assert.match(res.headers['content-type'] as string, /application\/json/);
  assert.deepEqual(res.json(), { error: { code: 'NOT_FOUND', message: 'no route GET /api/nope' } });
});

test('a write without a token, or with a wrong one, is 401 before the body is looked at', async (t) => {
  const a = await app(t);
  const missing = await a.inject({ method: 'POST', url: '/api/test/echo', payload: { wrong: true } });
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json().error.code, 'UNAUTHORIZED');
  assert.match(missing.json().error.message, /Authorization: Bearer/);
  assert.equal(missing.headers['www-authenticate'], 'Bearer');

  const wrong = await a.inject({
    method: 'POST',
    url: '/api/test/echo',
    headers: { authorization: `Bearer ${TOKEN}x` },
    payload: { name: 'a' },
  });
  assert.equal(wrong.statusCode, 401);
  assert.deepEqual(wrong.json(), { error: { code: 'UNAUTHORIZED', message: 'the bearer token is not valid' } });

  const basic = await a.inject({ method: 'POST', url: '/api/test/echo', headers: { authorization: `Basic ${TOKEN}` }, payload: { name: 'a' } });
  assert.equal(basic.statusCode, 401);
});

test('with the right token, a bad body is 400 VALIDATION_FAILED and a good one passes', async (t) => {
  const a = await app(t);
  const headers = { authorization: `Bearer ${TOKEN}` };
  const bad = await a.inject({ method: 'POST', url: '/api/test/echo', headers, payload: { name: 'a', typo: 1 } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
  assert.match(bad.json().error.message, /additional properties/);
  const badJson = await a.inject({ method: 'POST', url: '/api/test/echo', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":' });
  assert.equal(badJson.statusCode, 400);
  assert.equal(badJson.json().error.code, 'BAD_REQUEST');
  const good = await a.inject({ method: 'POST', url: '/api/test/echo', headers: { authorization: `bearer ${TOKEN}` }, payload: { name: 'a' } });
  assert.equal(good.statusCode, 200);
  assert.deepEqual(good.json(), { echoed: 'a' });
});

test('with no token configured, writes are refused rather than open', async (t) => {
  const a = await app(t, { token: undefined });
  const res = await a.inject({ method: 'POST', url: '/api/test/echo', headers: { authorization: 'Bearer anything-at-all-12345' }, payload: { name: 'a' } });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.code, 'WRITES_DISABLED');
  assert.match(res.json().error.message, /SMOKETRACE_API_TOKEN/);
});

test('a handler failure is a 500 that does not leak the cause', async (t) => {
  const res = await (await app(t)).inject({ method: 'GET', url: '/api/test/boom' });
  assert.equal(res.statusCode, 500);
  assert.equal(res.json().error.code, 'INTERNAL');
  assert.doesNotMatch(res.body, /secret internal detail/);
});

test('the OpenAPI document lists /api/health and the bearer scheme', async (t) => {
  const res = await (await app(t)).inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.match(doc.openapi, /^3\./);
  assert.equal(doc.info.version, version);
  assert.ok(doc.paths['/api/health']?.get, 'GET /api/health is documented');
  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer' });
});

test('/docs serves the Swagger UI page and its assets locally', async (t) => {
  const a = await app(t);
  const page = await a.inject({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.body, /swagger-ui/);
  // Every script and stylesheet is a local path: the page works with no internet.
  const refs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 0, 'the served HTML references no script/asset bundle');
  for (const ref of refs) assert.doesNotMatch(ref, /^(https?:)?\/\//, ref);
  const bundle = await a.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  assert.equal(bundle.statusCode, 200);
  assert.ok(bundle.body.length > 100_000, `the UI bundle is only ${bundle.body.length} bytes: expected the built app (> 100 kB)`);
});

test('token comparison is exact', () => {
  assert.equal(tokensEqual(TOKEN, TOKEN), true);
  assert.equal(tokensEqual(`${TOKEN}x`, TOKEN), false);
  assert.equal(tokensEqual('', TOKEN), false);
  assert.equal(tokensEqual(TOKEN.toUpperCase(), TOKEN), false);
});
