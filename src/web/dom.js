// DOM building and formatting shared by the pages. Text always goes in as text nodes
// (never innerHTML), so names, AS paths and reasons from the API cannot inject markup.
/* global document */
import { ApiFailure, NotAvailable } from './api.js';

/** el('td', { class: 'num', title: 'x' }, 'text', child, ...) */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  append(e, children);
  return e;
}

/** e.append() that flattens arrays and skips null/undefined/false (the native one prints them). */
export function put(e, ...children) {
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else e.append(c instanceof globalThis.Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(e) {
  while (e.firstChild) e.firstChild.remove();
  return e;
}

const pad = (n) => String(n).padStart(2, '0');

/** "2026-11-22 05:30:12" in UTC. */
export function utc(t) {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago" (or "in 5 min"). */
export function ago(t, now = Date.now()) {
  const ms = now - new Date(t).getTime();
  if (!Number.isFinite(ms)) return '';
  const s = Math.round(Math.abs(ms) / 1000);
  let text;
  if (s < 5) return 'just now';
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.round(s / 60)} min`;
  else if (s < 172800) text = `${Math.round(s / 3600)} h`;
  else text = `${Math.round(s / 86400)} d`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

/** A <time> showing UTC and the relative age; app.js refreshes the age every 15 s. */
export function time(t, opts = {}) {
  if (t === undefined || t === null) return el('span', { class: 'muted' }, '—');
  const iso = new Date(t).toISOString();
  const e = el('time', { datetime: iso, title: `${utc(t)} UTC`, class: 'ts' });
  e.append(el('span', { class: 'utc' }, opts.short ? utc(t).slice(11) : utc(t), ' UTC'), ' ', el('span', { class: 'rel', 'data-rel': iso }, ago(t)));
  return e;
}

export function refreshAges(root) {
  const now = Date.now();
  for (const e of root.querySelectorAll('[data-rel]')) e.textContent = ago(e.dataset.rel, now);
}

export function ms(v, digits = 1) {
  return v === null || v === undefined ? '—' : `${Number(v).toFixed(digits)} ms`;
}

export function pct(v) {
  return v === null || v === undefined ? '—' : `${Number(v).toFixed(v > 0 && v < 1 ? 1 : 0)} %`;
}

/** An AS path as in /api/routes: numbers, AS_SETs as nested arrays. */
export function asPath(p) {
  if (!p) return '—';
  if (p.length === 0) return '(local)';
  return p.map((x) => (Array.isArray(x) ? `{${x.join(' ')}}` : String(x))).join(' ');
}

/** Loading / error / not-available panels. */
export function loading(what) {
  return el('p', { class: 'muted loading' }, `Loading ${what}…`);
}

export function problem(e, what) {
  if (e instanceof NotAvailable) {
    return el('div', { class: 'notice not-available', 'data-state': 'not-available' }, el('strong', {}, `${what}: not available`), ' — this server has no ', el('code', {}, e.path), ' yet.');
  }
  const why = e instanceof ApiFailure ? `${e.status}${e.code ? ` ${e.code}` : ''}: ${e.message}` : String(e?.message ?? e);
  return el('div', { class: 'notice error', 'data-state': 'error', role: 'alert' }, el('strong', {}, `${what}: failed`), ` — ${why}`);
}

export function badge(kind, text = kind) {
  return el('span', { class: `badge b-${kind}`, 'data-kind': kind }, text);
}

/** Route links, so a prefix with '/' and IPv6 colons survives the hash. */
export const link = {
  target: (id) => `#/target/${encodeURIComponent(id)}`,
  prefix: (p) => `#/prefix/${encodeURIComponent(p)}`,
};

/** A sortable table: columns [{ key, label, value(row) for sorting, cell(row) -> node|text, class }]. */
export function sortableTable(columns, rows, state, onSort) {
  const sorted = [...rows];
  const col = columns.find((c) => c.key === state.key) ?? columns[0];
  const dir = state.dir === 'desc' ? -1 : 1;
  sorted.sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  const head = el(
    'tr',
    {},
    columns.map((c) =>
      el(
        'th',
        { class: c.class, 'aria-sort': c.key === col.key ? (dir > 0 ? 'ascending' : 'descending') : 'none', scope: 'col' },
        el('button', { type: 'button', class: 'sort', 'data-key': c.key, onclick: () => onSort(c.key) }, c.label, c.key === col.key ? (dir > 0 ? ' ▲' : ' ▼') : ''),
      ),
    ),
  );
  const body = sorted.map((r) => el('tr', r.__attrs ?? {}, columns.map((c) => el('td', { class: c.class, 'data-label': c.label }, c.cell(r)))));
  return el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, body));
}

// ---- addresses and prefixes, for "targets this prefix covers"

function parseV4(s) {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    v = (v << 8n) | BigInt(o);
  }
  return v;
}

function parseV6(s) {
  if (!s.includes(':')) return undefined;
  let text = s;
  let tail = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseV4(v4[1]);
    if (n === undefined) return undefined;
    tail = [Number(n >> 16n), Number(n & 0xffffn)];
    text = text.slice(0, -v4[1].length) + (text.endsWith(`::${v4[1]}`) ? '' : '0');
    if (!text.endsWith(':')) text = text.replace(/0$/, '');
  }
  const [l, r] = text.split('::');
  const part = (x) => (x ? x.split(':').filter((y) => y !== '').map((y) => parseInt(y, 16)) : []);
  const left = part(l);
  const right = [...part(r), ...tail];
  const fill = text.includes('::') ? 8 - left.length - right.length : 0;
  const all = [...left, ...Array(Math.max(0, fill)).fill(0), ...right];
  if (all.length !== 8 || all.some((x) => Number.isNaN(x) || x < 0 || x > 0xffff)) return undefined;
  return all.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n);
}

export function parseAddr(s) {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { bits: 32, v: v4 };
  const v6 = parseV6(s);
  return v6 === undefined ? undefined : { bits: 128, v: v6 };
}

export function prefixContains(prefix, address) {
  const [net, lenText] = prefix.split('/');
  const p = parseAddr(net);
  const a = parseAddr(address);
  const len = Number(lenText);
  if (!p || !a || p.bits !== a.bits || !(len >= 0 && len <= p.bits)) return false;
  const shift = BigInt(p.bits - len);
  return p.v >> shift === a.v >> shift;
}

// ---- loss colours (graph, sparklines)

/** SmokePing's idea: green without loss, then blue, purple, orange, red as loss grows. */
export const LOSS_COLOURS = [
  [0, '#1a9641', '0'],
  [5, '#2b83ba', '≤5 %'],
  [20, '#7b3294', '≤20 %'],
  [50, '#fdae61', '≤50 %'],
  [100, '#d7191c', '>50 %'],
];

export function lossColour(p) {
  if (p === null || p === undefined) return '#777';
  for (const [max, c] of LOSS_COLOURS) if (p <= max) return c;
  return '#d7191c';
}

// ---- the browser tab: a NOC has many; the one with trouble says so in its title and icon

/** Sets the tab title and a round icon: red when `bad` > 0, green otherwise, grey when unknown. */
export function tabStatus(title, bad) {
  document.title = bad > 0 ? `(${bad}) ${title}` : title;
  const colour = bad === undefined ? '#888' : bad > 0 ? '#d7191c' : '#1a9641';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${colour}"/></svg>`;
  const icon = document.getElementById('favicon');
  if (icon) icon.setAttribute('href', `data:image/svg+xml,${encodeURIComponent(svg)}`);
}

/**
 * Coalesces bursts of live events per key: soon(key, fn) runs fn `delay` ms after the
 * last call of a burst, but never later than `maxWait` ms after the burst's first call,
 * so a steady stream (100 targets every 10 s: a trace each 100 ms) still reloads every
 * maxWait instead of never. A run that is still going when the next falls due is not
 * started twice: the next one follows when it ends.
 */
export function throttle() {
  const pending = new Map(); // key -> { timer, first, fn }
  const running = new Map(); // key -> Promise of the run in progress
  let disposed = false;
  function fire(key) {
    const p = pending.get(key);
    pending.delete(key);
    if (!p || disposed) return;
    const busy = running.get(key);
    if (busy) {
      // Due while the last run is still going: once it ends, go again.
      void busy.then(() => !pending.has(key) && schedule(key, p.fn, 0, 0));
      return;
    }
    const run = Promise.resolve()
      .then(p.fn)
      .catch(() => undefined)
      .finally(() => running.delete(key));
    running.set(key, run);
  }
  function schedule(key, fn, delay, maxWait) {
    if (disposed) return;
    const now = Date.now();
    const p = pending.get(key);
    if (p) clearTimeout(p.timer);
    const first = p ? p.first : now;
    const wait = Math.max(0, Math.min(delay, first + maxWait - now));
    pending.set(key, { first, fn, timer: setTimeout(() => fire(key), wait) });
  }
  return {
    soon(key, fn, delay = 300, maxWait = 2000) {
      schedule(key, fn, delay, maxWait);
    },
    dispose() {
      disposed = true;
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    },
  };
}
