// Overview: every target with its state and last verdict (sortable, filterable), recent
// alerts, and a ticker of BGP route changes; live events refresh what they touch.
// A target's state, worst first:
//   unreachable  its latest trace did not reach it (or the last verdict says so, newer than that trace)
//   worse        the last verdict says a routing change made its path worse
//   mismatch     the last verdict found the traceroute's ASes disagree with BGP
//   ok           traced, reached, nothing above
//   no data      never traced yet (the scheduler state says why)
/* global document */
import { get } from './api.js';
import { asPath, badge, clear, el, link, loading, lossColour, ms, pct, problem, sortableTable, tabStatus, throttle, time, put } from './dom.js';

const STATES = ['unreachable', 'worse', 'mismatch', 'ok', 'no-data'];
const RANK = Object.fromEntries(STATES.map((s, i) => [s, i]));

export function stateOf(latest, verdict) {
  if (latest && !latest.reached) return 'unreachable';
  if (verdict?.kind === 'unreachable' && (!latest || Date.parse(latest.start) <= Date.parse(verdict.at))) return 'unreachable';
  if (verdict?.kind === 'worse') return 'worse';
  if (verdict?.findings?.includes('control-data-mismatch')) return 'mismatch';
  return latest ? 'ok' : 'no-data';
}

const SVG = 'http://www.w3.org/2000/svg';

/** The last 3 hours of one target in 120x24 (at most 60 traces spread over them, the API's choice): the median as a line, each trace a dot coloured by loss, unreached in red at the top. */
function sparkline(points) {
  const W = 120;
  const H = 24;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('height', String(H));
  svg.setAttribute('class', 'spark');
  svg.dataset.points = String(points.length);
  if (points.length === 0) return svg;
  const now = Date.now();
  const from = now - 3 * 3600_000;
  const top = Math.max(1, ...points.map((p) => p.rttMs ?? 0)) * 1.15;
  const x = (p) => ((Date.parse(p.start) - from) / (now - from)) * (W - 4) + 2;
  const y = (v) => H - 2 - (v / top) * (H - 4);
  const line = points.filter((p) => p.rttMs !== null).map((p) => `${x(p).toFixed(1)},${y(p.rttMs).toFixed(1)}`);
  const add = (tag, attrs) => {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    svg.append(e);
    return e;
  };
  if (line.length > 1) add('polyline', { points: line.join(' '), fill: 'none', stroke: '#9aa3ad', 'stroke-width': 1 });
  for (const p of points) {
    if (!p.reached || p.rttMs === null) add('rect', { x: x(p) - 1, y: 0, width: 2, height: 5, fill: '#d7191c' });
    else add('circle', { cx: x(p), cy: y(p.rttMs), r: 1.6, fill: lossColour(p.lossPct) });
  }
  const last = points[points.length - 1];
  add('title', {}).textContent = `${points.length} traces of the last 3 h (at most 60, spread over it); median now ${last.rttMs === null ? 'unreached' : `${last.rttMs.toFixed(1)} ms`}, up to ${(top / 1.15).toFixed(1)} ms`;
  return svg;
}

export function render(view) {
  const sort = { key: 'state', dir: 'asc' };
  const filter = { text: '', state: '' };
  let data = { targets: [], latest: new Map(), recent: new Map(), verdicts: new Map(), verdictError: undefined };
  let changes = [];
  const flash = new Set();

  const summary = el('div', { class: 'summary', id: 'summary' });
  const tableBox = el('div', { class: 'table-box', id: 'targets' }, loading('targets'));
  const alertsBox = el('section', { class: 'panel', id: 'recent-alerts' }, el('h2', {}, 'Recent alerts'), loading('alerts'));
  const tickerList = el('ol', { class: 'ticker-list' });
  const tickerBox = el('section', { class: 'panel ticker', id: 'ticker' }, el('h2', {}, 'BGP route changes'), tickerList);
  const search = el('input', { type: 'search', placeholder: 'filter: name, address, AS', 'aria-label': 'Filter targets', id: 'filter' });
  const stateSel = el('select', { 'aria-label': 'Filter by state', id: 'state-filter' }, el('option', { value: '' }, 'all states'), STATES.map((s) => el('option', { value: s }, s.replace('-', ' '))));
  search.addEventListener('input', () => {
    filter.text = search.value.trim().toLowerCase();
    draw();
  });
  stateSel.addEventListener('change', () => {
    filter.state = stateSel.value;
    draw();
  });

  put(view, 
    el('section', { class: 'panel targets' }, el('div', { class: 'panel-head' }, el('h1', {}, 'Targets'), summary, el('div', { class: 'filters' }, search, stateSel)), tableBox),
    el('div', { class: 'side' }, alertsBox, tickerBox),
  );

  function rows() {
    return data.targets.map((t) => {
      const latest = data.latest.get(t.id) ?? null;
      const verdict = data.verdicts.get(t.id) ?? null;
      return { t, latest, verdict, state: stateOf(latest, verdict), __attrs: { 'data-target': t.id, 'data-state': stateOf(latest, verdict), class: flash.has(t.id) ? 'flash' : undefined } };
    });
  }

  function draw() {
    const all = rows();
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const r of all) counts[r.state]++;
    // The tab says how many targets are in trouble, for a NOC with many tabs open.
    tabStatus('smoketrace · overview', counts.unreachable + counts.worse + counts.mismatch);
    put(clear(summary), 
      el('span', { class: 'count' }, `${all.length} target${all.length === 1 ? '' : 's'}`),
      STATES.filter((s) => counts[s] > 0).map((s) => el('button', { type: 'button', class: `chip b-${s}`, 'data-state': s, onclick: () => ((stateSel.value = filter.state === s ? '' : s), (filter.state = stateSel.value), draw()) }, `${counts[s]} ${s.replace('-', ' ')}`)),
    );
    const shown = all.filter((r) => {
      if (filter.state && r.state !== filter.state) return false;
      if (!filter.text) return true;
      const hay = `${r.t.name} ${r.t.address} ${r.t.host ?? ''} ${r.latest ? asPath(r.latest.asPath) : ''}`.toLowerCase();
      return hay.includes(filter.text);
    });
    const columns = [
      { key: 'state', label: 'State', value: (r) => RANK[r.state], cell: (r) => badge(r.state, r.state.replace('-', ' ')) },
      {
        key: 'name',
        label: 'Target',
        value: (r) => r.t.name.toLowerCase(),
        cell: (r) => [el('a', { href: link.target(r.t.id), class: 'target-link' }, r.t.name), el('code', { class: 'addr' }, r.t.address)],
      },
      { key: 'rtt', label: 'RTT', class: 'num', value: (r) => r.latest?.rttMs ?? null, cell: (r) => el('span', { class: 'rtt' }, ms(r.latest?.rttMs)) },
      { key: 'spark', label: 'Last 3 h', value: (r) => r.latest?.rttMs ?? null, cell: (r) => sparkline(data.recent.get(r.t.id) ?? []) },
      { key: 'loss', label: 'Loss', class: 'num', value: (r) => r.latest?.lossPct ?? null, cell: (r) => el('span', { class: (r.latest?.lossPct ?? 0) > 0 ? 'loss bad' : 'loss' }, pct(r.latest?.lossPct)) },
      { key: 'hops', label: 'Hops', class: 'num', value: (r) => r.latest?.hops ?? null, cell: (r) => (r.latest ? String(r.latest.hops) : '—') },
      { key: 'as', label: 'AS path (trace)', value: (r) => (r.latest ? asPath(r.latest.asPath) : null), cell: (r) => el('code', { class: 'aspath' }, !r.latest ? '—' : r.latest.asPath.length ? asPath(r.latest.asPath) : 'unknown') },
      { key: 'last', label: 'Last trace', value: (r) => (r.latest ? Date.parse(r.latest.start) : null), cell: (r) => (r.latest ? time(r.latest.start, { short: true }) : el('span', { class: 'muted', title: r.t.lastError?.message }, r.t.state)) },
      {
        key: 'verdict',
        label: 'Last verdict',
        value: (r) => (r.verdict ? Date.parse(r.verdict.at) : null),
        cell: (r) =>
          data.verdictError
            ? el('span', { class: 'muted' }, 'n/a')
            : r.verdict
              ? el('span', { class: 'verdict' }, badge(r.verdict.kind), ' ', time(r.verdict.at, { short: true }), el('span', { class: 'reason', title: (r.verdict.reasons ?? []).join('\n') }, r.verdict.reasons?.[0] ?? ''))
              : el('span', { class: 'muted' }, 'none'),
      },
    ];
    const table = sortableTable(columns, shown, sort, (key) => {
      sort.dir = sort.key === key && sort.dir === 'asc' ? 'desc' : 'asc';
      sort.key = key;
      draw();
    });
    put(clear(tableBox), 
      data.targets.length === 0 ? el('p', { class: 'muted' }, 'No targets. Add [[targets]] to the config or POST /api/targets.') : table,
      data.verdictError ? problem(data.verdictError, 'Verdicts') : null,
    );
  }

  async function loadTargets() {
    try {
      const [t, l] = await Promise.all([get('/api/targets'), get('/api/latency?recent=3h')]);
      data.targets = t.targets;
      data.latest = new Map(l.targets.map((x) => [x.targetId, x.latest]));
      data.recent = new Map(l.targets.map((x) => [x.targetId, x.recent ?? []]));
    } catch (e) {
      put(clear(tableBox), problem(e, 'Targets'));
      return;
    }
    draw();
  }

  async function loadVerdicts() {
    try {
      const v = await get('/api/verdicts?limit=1000');
      const m = new Map();
      for (const x of v.verdicts) if (!m.has(x.targetId)) m.set(x.targetId, x);
      data.verdicts = m;
      data.verdictError = undefined;
    } catch (e) {
      data.verdictError = e;
    }
    draw();
  }

  async function loadAlerts() {
    try {
      const a = await get('/api/alerts?limit=8');
      const list = a.alerts.length
        ? el(
            'ul',
            { class: 'alerts-list' },
            a.alerts.map((x) =>
              el('li', { 'data-alert': x.id }, badge(x.kind === 'recovery' ? 'better' : x.verdict, x.kind === 'recovery' ? 'recovery' : x.verdict), ' ', el('a', { href: '#/alerts' }, x.subject), ' ', time(x.createdAt, { short: true }), x.acknowledged ? el('span', { class: 'muted' }, ' · acked') : null),
            ),
          )
        : el('p', { class: 'muted' }, 'No alerts.');
      put(clear(alertsBox), el('h2', {}, 'Recent alerts'), list);
    } catch (e) {
      put(clear(alertsBox), el('h2', {}, 'Recent alerts'), problem(e, 'Alerts'));
    }
  }

  function changeItem(c) {
    const before = c.before ? asPath(c.before.asPath) : '∅';
    const after = c.after ? asPath(c.after.asPath) : '∅';
    return el(
      'li',
      { class: `rc rc-${c.kind}`, 'data-prefix': c.prefix, 'data-time': c.time },
      time(c.time, { short: true }),
      ' ',
      el('a', { href: link.prefix(c.prefix), class: 'prefix' }, c.prefix),
      ' ',
      el('span', { class: 'peer' }, `AS${c.peer.asn} ${c.peer.address}`),
      ' ',
      el('span', { class: 'kind' }, c.kind),
      ' ',
      el('code', { class: 'aspath' }, c.kind === 'new' ? after : c.kind === 'withdraw' ? `${before} → withdrawn` : `${before} → ${after}`),
    );
  }

  function drawTicker() {
    put(clear(tickerList), changes.length ? changes.map(changeItem) : el('li', { class: 'muted' }, 'No route changes of monitored prefixes in the last 24 h.'));
  }

  async function loadChanges() {
    try {
      // Newest first from the server: the ticker shows the latest 30 however busy the day was.
      const r = await get('/api/route-changes?since=24h&limit=30&order=desc');
      changes = r.changes;
      drawTicker();
    } catch (e) {
      put(clear(tickerList), el('li', {}, problem(e, 'Route changes')));
    }
  }

  const later = throttle();
  const soon = later.soon;

  /** A live 'target' event: the target JSON (removed: true when it went), shown at once. */
  function applyTarget(t) {
    if (!t || typeof t.id !== 'string') return;
    const rest = data.targets.filter((x) => x.id !== t.id);
    if (t.removed) {
      data.targets = rest;
      data.latest.delete(t.id);
      data.recent.delete(t.id);
    } else {
      const i = data.targets.findIndex((x) => x.id === t.id);
      data.targets = i >= 0 ? data.targets.map((x) => (x.id === t.id ? t : x)) : [...rest, t];
    }
    draw();
  }

  function refresh() {
    void loadTargets();
    void loadVerdicts();
    void loadAlerts();
    void loadChanges();
  }
  refresh();

  return {
    refresh,
    live(type, d) {
      if (type === 'route-change' && d && typeof d.prefix === 'string' && typeof d.time === 'string') {
        changes = [d, ...changes].slice(0, 30);
        drawTicker();
      } else if (type === 'route-change') soon('changes', loadChanges);
      if (type === 'target') applyTarget(d);
      if (type === 'trace' || type === 'target' || type === 'path-change') {
        const id = type === 'target' ? d?.id : d?.targetId;
        if (typeof id === 'string' && !d?.removed) {
          flash.add(id);
          // The row stays lit while its target keeps changing: no maximum wait.
          soon(`flash-${id}`, () => (flash.delete(id), draw()), 3000, Infinity);
        }
        soon('targets', loadTargets);
      }
      if (type === 'verdict') soon('verdicts', loadVerdicts);
      if (type === 'alert') soon('alerts', loadAlerts);
    },
    dispose() {
      later.dispose();
    },
  };
}
