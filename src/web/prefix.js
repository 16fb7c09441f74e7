// Prefix: the current routes per peer (the longest match in the live RIB), the AS-path
// history as a timeline (one lane per peer and table, one colour per AS path) with the
// changes listed, and the targets the prefix covers.
import { get } from './api.js';
import { asPath, badge, clear, el, link, loading, ms, prefixContains, problem, time, utc, put } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#e15759', '#bab0ac'];

function s(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
/* global document */

/** One lane per peer/table: segments of AS path from change to change. */
function timeline(changes, from, to) {
  const lanes = new Map();
  for (const c of changes) {
    const k = `${c.peer.address} AS${c.peer.asn}|${c.router} ${c.table}`;
    if (!lanes.has(k)) lanes.set(k, []);
    lanes.get(k).push(c);
  }
  const colours = new Map();
  const colourOf = (p) => {
    if (!colours.has(p)) colours.set(p, PALETTE[colours.size % PALETTE.length]);
    return colours.get(p);
  };
  const W = 900;
  const L = 200;
  const LANE = 26;
  const H = 30 + lanes.size * LANE;
  const x = (t) => L + ((t - from) / (to - from)) * (W - L - 10);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'timeline', role: 'img', 'font-family': 'ui-monospace, monospace', 'font-size': 11 });
  svg.append(s('text', { x: L, y: 14, fill: '#555' }, `${utc(from)} UTC`), s('text', { x: W - 10, y: 14, fill: '#555', 'text-anchor': 'end' }, `${utc(to)} UTC`));
  let row = 0;
  for (const [k, list] of lanes) {
    const y = 24 + row * LANE;
    const [peer, where] = k.split('|');
    const label = s('text', { x: 4, y: y + 14, fill: '#222' }, peer.length > 30 ? `${peer.slice(0, 29)}…` : peer);
    label.append(s('title', {}, `${peer} on ${where}`));
    svg.append(label);
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      const t0 = Math.max(from, Date.parse(c.time));
      const t1 = i + 1 < list.length ? Date.parse(list[i + 1].time) : to;
      if (c.after) {
        const p = asPath(c.after.asPath);
        const r = s('rect', { x: x(t0), y: y + 2, width: Math.max(2, x(t1) - x(t0)), height: LANE - 8, fill: colourOf(p), rx: 2, class: 'segment' });
        r.append(s('title', {}, `${utc(c.time)} UTC → AS path ${p}`));
        svg.append(r);
        if (x(t1) - x(t0) > p.length * 6.5 + 6) svg.append(s('text', { x: x(t0) + 4, y: y + 15, fill: '#fff' }, p));
      }
      const m = s('line', { x1: x(t0), x2: x(t0), y1: y, y2: y + LANE - 4, stroke: '#222', 'stroke-width': 1.5, class: 'change-tick' });
      m.append(s('title', {}, `${utc(c.time)} UTC ${c.kind} (${c.cause})`));
      svg.append(m);
    }
    row++;
  }
  return svg;
}

export function render(view, p) {
  const routesBox = el('section', { class: 'panel', id: 'routes' }, el('h1', {}, 'Prefix ', el('code', {}, p)), loading('routes'));
  const historyBox = el('section', { class: 'panel', id: 'history' }, el('h2', {}, 'AS-path history (7 days)'), loading('route changes'));
  const targetsBox = el('section', { class: 'panel', id: 'covered-targets' }, el('h2', {}, 'Targets it covers'), loading('targets'));
  put(view, routesBox, historyBox, targetsBox);
  let shown = p;

  async function refresh() {
    let r;
    try {
      r = await get(`/api/routes?prefix=${encodeURIComponent(p)}`);
    } catch (e) {
      put(clear(routesBox), el('h1', {}, 'Prefix ', el('code', {}, p)), problem(e, 'Routes'));
      return;
    }
    const pfx = r.prefix ?? r.query;
    shown = pfx;
    put(clear(routesBox), 
      el('h1', {}, 'Prefix ', el('code', { id: 'prefix-name' }, pfx), r.prefix && r.prefix !== r.query ? el('span', { class: 'muted' }, ` (longest match for ${r.query})`) : null),
      r.routes.length === 0
        ? el('p', { class: 'muted', id: 'no-routes' }, 'No route in the RIB covers it.')
        : el(
            'table',
            { class: 'grid', id: 'routes-table' },
            el('thead', {}, el('tr', {}, ['Router', 'Peer', 'Peer AS', 'Table', 'AS path', 'Next hop', 'Origin', 'MED', 'LocPref', 'Communities', 'Since'].map((h) => el('th', { scope: 'col' }, h)))),
            el(
              'tbody',
              {},
              r.routes.map((x) =>
                el(
                  'tr',
                  {},
                  [x.router, x.peer.address, `AS${x.peer.asn}`, x.table].map((v, i) => el('td', { 'data-label': ['Router', 'Peer', 'Peer AS', 'Table'][i] }, v)),
                  el('td', { 'data-label': 'AS path' }, el('code', { class: 'aspath' }, asPath(x.asPath))),
                  el('td', { 'data-label': 'Next hop' }, x.nextHop ?? '—'),
                  el('td', { 'data-label': 'Origin' }, x.origin ?? '—'),
                  el('td', { 'data-label': 'MED', class: 'num' }, x.med ?? '—'),
                  el('td', { 'data-label': 'LocPref', class: 'num' }, x.localPref ?? '—'),
                  el('td', { 'data-label': 'Communities', class: 'small' }, [...x.communities, ...x.largeCommunities].join(' ') || '—'),
                  el('td', { 'data-label': 'Since' }, time(x.since)),
                ),
              ),
            ),
          ),
    );

    const to = Date.now();
    const weekAgo = to - 7 * 86400_000;
    try {
      // The newest 10 000 of the week (newest first from the server), oldest first for the timeline.
      const newest = (await get(`/api/route-changes?prefix=${encodeURIComponent(pfx)}&since=7d&limit=10000&order=desc`)).changes;
      const ch = [...newest].reverse();
      put(clear(historyBox), 
        el('h2', {}, 'AS-path history (7 days)'),
        ch.length === 0
          ? el('p', { class: 'muted' }, 'No stored changes (only monitored prefixes — rib.monitor and those covering a target — are kept).')
          : [
              // Shown from a little before the first change, not as a sliver at the right of a week.
              el('div', { class: 'timeline-box' }, timeline(ch, Math.max(weekAgo, Date.parse(ch[0].time) - Math.max(60_000, (to - Date.parse(ch[0].time)) / 20)), to)),
              el(
                'ol',
                { class: 'change-list', id: 'change-list' },
                newest.slice(0, 100).map((c) =>
                  el('li', { 'data-time': c.time }, time(c.time), ' ', badge('change', c.kind), ' ', `AS${c.peer.asn} ${c.peer.address} (${c.table}) `, el('code', {}, c.before ? asPath(c.before.asPath) : '∅'), ' → ', el('code', {}, c.after ? asPath(c.after.asPath) : '∅'), c.reason ? el('span', { class: 'muted' }, ` ${c.reason}`) : null),
                ),
              ),
            ],
      );
    } catch (e) {
      put(clear(historyBox), el('h2', {}, 'AS-path history (7 days)'), problem(e, 'Route changes'));
    }

    try {
      const [t, l] = await Promise.all([get('/api/targets'), get('/api/latency')]);
      const latest = new Map(l.targets.map((x) => [x.targetId, x.latest]));
      const covered = t.targets.filter((x) => prefixContains(pfx, x.address));
      put(clear(targetsBox), 
        el('h2', {}, 'Targets it covers'),
        covered.length === 0
          ? el('p', { class: 'muted' }, 'None.')
          : el('ul', { class: 'covered' }, covered.map((x) => el('li', { 'data-target': x.id }, el('a', { href: link.target(x.id) }, x.name), ' ', el('code', {}, x.address), ' ', ms(latest.get(x.id)?.rttMs)))),
      );
    } catch (e) {
      put(clear(targetsBox), el('h2', {}, 'Targets it covers'), problem(e, 'Targets'));
    }
  }
  void refresh();

  let timer;
  return {
    refresh,
    live(type, d) {
      if (type === 'route-change' && (d?.prefix === undefined || d.prefix === shown || d.prefix === p)) {
        globalThis.clearTimeout(timer);
        timer = globalThis.setTimeout(() => void refresh(), 300);
      }
    },
    dispose() {
      globalThis.clearTimeout(timer);
    },
  };
}
