// The console shell: hash router (#/overview, #/target/ID, #/prefix/P, #/routers,
// #/alerts), one EventSource on /api/live shared by the pages, the token field, the
// "go to prefix or IP" box and the clock. A page module exports
// render(view, params) -> { live?(type, data), refresh?(), dispose?() }.
/* global document, window, location, history, EventSource */
import { forgetDocumented, get, setToken, token } from './api.js';
import { clear, el, link, parseAddr, problem, refreshAges, tabStatus, utc, put } from './dom.js';
import * as alerts from './alerts.js';
import * as overview from './overview.js';
import * as prefix from './prefix.js';
import * as routers from './routers.js';
import * as target from './target.js';

const pages = { overview, target, prefix, routers, alerts };
const view = document.getElementById('view');
let current;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const name = pages[parts[0]] ? parts[0] : 'overview';
  const param = parts.slice(1).join('/');
  let arg;
  try {
    arg = decodeURIComponent(param);
  } catch {
    arg = param;
  }
  current?.dispose?.();
  current = undefined;
  clear(view);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === name);
  tabStatus(`smoketrace · ${name}${arg ? ` ${arg}` : ''}`, undefined);
  try {
    current = pages[name].render(view, arg) ?? undefined;
  } catch (e) {
    put(view, problem(e, name));
  }
}

// ---- live events

const liveState = document.getElementById('live-state');
function setLive(state, text) {
  liveState.dataset.state = state;
  liveState.textContent = text;
}

const myBuild = /\/assets\/([0-9a-f]+)\//.exec(import.meta.url)?.[1];

/** Whether the server now serves another build of the console than this page runs. */
async function newBuild() {
  try {
    const html = await (await fetch('/', { cache: 'no-store' })).text();
    const b = /\/assets\/([0-9a-f]+)\/app\.js/.exec(html)?.[1];
    return b !== undefined && myBuild !== undefined && b !== myBuild;
  } catch {
    return false;
  }
}

function connectLive(afterGap = false) {
  const es = new EventSource('/api/live');
  let wasDown = afterGap;
  es.onopen = () => {
    setLive('up', 'live');
    // Events may have been missed while disconnected: the page reloads what it shows; a
    // server that came back upgraded gets the new console (a wall screen has nobody to press F5).
    if (wasDown) {
      forgetDocumented();
      void newBuild().then((changed) => (changed ? location.reload() : current?.refresh?.()));
    }
    wasDown = false;
  };
  es.onerror = () => {
    wasDown = true;
    // EventSource retries by itself, except after an answer that is not a stream (503:
    // too many consoles open): then it is closed for good, so try again in 30 s.
    if (es.readyState === EventSource.CLOSED) {
      setLive('down', 'live refused; retrying in 30 s');
      setTimeout(() => connectLive(true), 30_000);
      return;
    }
    setLive('down', 'reconnecting');
  };
  for (const type of ['route-change', 'trace', 'path-change', 'verdict', 'alert', 'target']) {
    es.addEventListener(type, (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      document.body.dataset.lastLive = `${type} ${Date.now()}`;
      current?.live?.(type, data);
    });
  }
}

// ---- header: token, go-to box, clock

const tokenField = document.getElementById('token');
tokenField.value = token();
tokenField.addEventListener('change', () => setToken(tokenField.value.trim()));

document.getElementById('goto').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = document.getElementById('goto-q').value.trim();
  if (!q) return;
  if (q.includes('/')) {
    location.hash = link.prefix(q);
    return;
  }
  if (parseAddr(q)) {
    try {
      const r = await get(`/api/lookup?ip=${encodeURIComponent(q)}`);
      location.hash = link.prefix(r.prefix ?? (q.includes(':') ? `${q}/128` : `${q}/32`));
    } catch (e) {
      put(clear(view), problem(e, `lookup of ${q}`));
    }
    return;
  }
  put(clear(view), el('div', { class: 'notice error', role: 'alert' }, `"${q}" is neither a prefix (198.51.100.0/24) nor an IP address`));
});

// The monitor's own health: a NOC must see when smoketrace itself is blind (a feed down,
// the prober failing), not just a quiet board. 503 is "degraded", still a JSON answer.
const health = document.getElementById('health');
async function checkHealth() {
  try {
    const res = await fetch('/api/health', { headers: { accept: 'application/json' } });
    const h = await res.json();
    const bad = Object.entries(h.components ?? {}).filter(([, c]) => c.state !== 'ok');
    health.dataset.state = bad.length ? 'degraded' : 'ok';
    health.textContent = bad.length ? `degraded: ${bad.map(([n]) => n).join(', ')}` : 'healthy';
    health.title = bad.length ? bad.map(([n, c]) => `${n}: ${c.state}${c.detail ? ` — ${c.detail}` : ''}`).join('\n') : `smoketrace ${h.version}, every component ok`;
  } catch {
    health.dataset.state = 'down';
    health.textContent = 'no answer';
    health.title = 'the service does not answer /api/health';
  }
}

const clock = document.getElementById('clock');
function tick() {
  clock.textContent = `${utc(Date.now()).slice(0, 16)} UTC`;
}

window.addEventListener('hashchange', route);
window.addEventListener('error', (e) => {
  put(view, el('div', { class: 'notice error', role: 'alert' }, `console error: ${e.message}`));
});
tick();
void checkHealth();
setInterval(() => {
  tick();
  refreshAges(document);
}, 15_000);
setInterval(() => void checkHealth(), 30_000);
if (!location.hash) history.replaceState(null, '', '#/overview');
route();
connectLive();
