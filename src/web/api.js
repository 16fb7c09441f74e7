// The console's only way to data: the public REST API of the service it is served by.
// A resource another part of the service has not shipped yet (the OpenAPI document does
// not list it, or the API answers 404 "no route") is NotAvailable, which pages show as
// such: never invented data.
/* global sessionStorage */

export class NotAvailable extends Error {
  constructor(path) {
    super(`${path} is not available on this server`);
    this.path = path;
  }
}

export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let paths;
/** The API paths this server documents (from /api/openapi.json), fetched once. */
function documented() {
  paths ??= fetch('/api/openapi.json')
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => undefined);
  return paths;
}

/** Forget what the server documents (after a reconnect: it may have been upgraded). */
export function forgetDocumented() {
  paths = undefined;
}

/** Whether the server has the route `path` (e.g. '/api/verdicts'); true when unknown. */
export async function has(path) {
  const p = await documented();
  return p === undefined || p.has(path);
}

async function failure(res, path) {
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const code = body?.error?.code;
  const message = body?.error?.message ?? `${res.status} ${res.statusText}`;
  if (res.status === 404 && /^no route /.test(message)) return new NotAvailable(path);
  return new ApiFailure(res.status, code, message);
}

/**
 * GET a JSON resource. `route` is the documented path template when it differs from the
 * request path's own path (e.g. '/api/alerts/{id}'); without it the request path is used.
 */
export async function get(path, route) {
  const base = route ?? path.split('?')[0];
  if (!(await has(base))) throw new NotAvailable(base);
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw await failure(res, base);
  return res.json();
}

const TOKEN_KEY = 'smoketrace.token';

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(TOKEN_KEY, t);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives only in the field
  }
}

/** A write (POST/DELETE) with the bearer token from the header's token field. */
export async function write(method, path, body, route) {
  const base = route ?? path.split('?')[0];
  if (!(await has(base))) throw new NotAvailable(base);
  const headers = { accept: 'application/json' };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw await failure(res, base);
  return res.status === 204 ? null : res.json();
}
