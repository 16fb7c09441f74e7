// Target: the latency graph over a window (3 h, 24 h, 7 d) with route-change and verdict
// markers, the path diagram of the latest trace or of one picked on the graph (compared
// with the trace before it, exportable as SVG), the verdict history with its reasons and
// the prober's own path changes.
import { get } from './api.js';
import { asPath, badge, clear, el, link, loading, ms, pct, problem, tabStatus, throttle, time, utc, put } from './dom.js';
import { latencyGraph } from './graph.js';
import { downloadSvg, pathDiagram } from './path-diagram.js';
import { stateOf } from './overview.js';

/** A trace's AS sequence: [] means no trace said (not "our own AS" as for a BGP path). */
const traceAs = (p) => (p && p.length ? asPath(p) : 'unknown');

/** Points in the graph at most: a week of 10 s traces is 60 000, more than the graph has pixels; the API spreads these over the window. */
const GRAPH_POINTS = 1500;

const RANGES = [
  ['3h', 3 * 3600_000],
  ['24h', 24 * 3600_000],
  ['7d', 7 * 86400_000],
];

export function render(view, id) {
  let range = '24h';
  let target;
  let prefix = null;
  let points = [];
  // The picked trace by its start: a window that moves on keeps the same trace picked.
  let pickedStart;
  let disposed = false;
  let graph;
  let verdicts = [];
  let verdictError;
  let followLatest = true;
  const enc = encodeURIComponent(id);

  const head = el('section', { class: 'panel target-head', id: 'target-head' }, loading('target'));
  const rangeBar = el(
    'div',
    { class: 'ranges', role: 'group', 'aria-label': 'Time window' },
    RANGES.map(([r]) => el('button', { type: 'button', class: r === range ? 'active' : '', 'data-range': r, onclick: () => ((range = r), markRange(), void loadGraph()) }, r)),
  );
  const graphBox = el('div', { class: 'graph', id: 'graph' });
  const graphPanel = el('section', { class: 'panel' }, el('div', { class: 'panel-head' }, el('h2', {}, 'Latency'), rangeBar), graphBox);
  const pathBox = el('div', { class: 'path-box', id: 'path' });
  const exportBtn = el('button', { type: 'button', id: 'export-svg', disabled: true }, 'Export SVG');
  const latestBtn = el('button', { type: 'button', id: 'show-latest', onclick: () => ((followLatest = true), pick(points.length - 1)) }, 'Latest');
  const pathPanel = el('section', { class: 'panel' }, el('div', { class: 'panel-head' }, el('h2', {}, 'Path'), el('span', { class: 'muted hint' }, 'click the graph to pick a trace'), latestBtn, exportBtn), pathBox);
  const verdictBox = el('section', { class: 'panel', id: 'verdicts' }, el('h2', {}, 'Verdicts'), loading('verdicts'));
  const changesBox = el('section', { class: 'panel', id: 'path-changes' }, el('h2', {}, 'Path changes seen by the prober'), loading('path changes'));
  put(view, head, graphPanel, pathPanel, verdictBox, changesBox);

  function markRange() {
    for (const b of rangeBar.querySelectorAll('button')) b.classList.toggle('active', b.dataset.range === range);
  }

  const windowMs = () => RANGES.find(([r]) => r === range)[1];

  async function loadHead() {
    try {
      target = await get(`/api/targets/${enc}`, '/api/targets/{id}');
    } catch (e) {
      put(clear(head), problem(e, `Target ${id}`));
      return false;
    }
    try {
      const l = await get(`/api/lookup?ip=${encodeURIComponent(target.address)}`);
      // Distinct AS paths over the peers: what BGP offers for this destination, beside what the trace shows.
      const paths = new Map();
      for (const r of l.routes) {
        const k = asPath(r.asPath);
        paths.set(k, [...(paths.get(k) ?? []), `${r.peer.address} AS${r.peer.asn} on ${r.router}`]);
      }
      prefix = l.prefix ? { prefix: l.prefix, origins: l.origins, routes: l.routes.length, paths } : null;
    } catch {
      prefix = null;
    }
    drawHead();
    return true;
  }

  function drawHead() {
    const latest = points[points.length - 1] ?? null;
    const state = stateOf(latest, verdicts[0] ?? null);
    tabStatus(`smoketrace · ${target.name}`, state === 'ok' ? 0 : state === 'no-data' ? undefined : 1);
    put(clear(head), 
      el('h1', {}, badge(state, state.replace('-', ' ')), ' ', target.name, ' ', el('code', { class: 'addr' }, target.address)),
      el(
        'dl',
        { class: 'facts' },
        el('dt', {}, 'Last RTT'),
        el('dd', { id: 'last-rtt' }, ms(latest?.rttMs)),
        el('dt', {}, 'Loss'),
        el('dd', {}, pct(latest?.lossPct)),
        el('dt', {}, 'Hops'),
        el('dd', {}, latest ? String(latest.hops) : '—'),
        el('dt', {}, 'Last trace'),
        el('dd', {}, latest ? time(latest.start) : '—'),
        el('dt', {}, 'Prefix'),
        el('dd', {}, prefix ? el('a', { href: link.prefix(prefix.prefix), id: 'covering-prefix' }, prefix.prefix) : el('span', { class: 'muted' }, 'no route covers it'), prefix ? ` origin AS${prefix.origins.join(', AS')}` : ''),
        el('dt', {}, 'BGP paths'),
        el(
          'dd',
          { id: 'bgp-paths' },
          prefix && prefix.paths.size
            ? [...prefix.paths].map(([p, peers], i) => [i ? '; ' : '', el('code', { title: peers.join('\n') }, p), el('span', { class: 'muted' }, ` (${peers.length} peer${peers.length === 1 ? '' : 's'})`)])
            : '—',
        ),
        el('dt', {}, 'Trace ASes'),
        el('dd', { id: 'trace-ases' }, latest ? el('code', {}, traceAs(latest.asPath)) : '—'),
        el('dt', {}, 'Probing'),
        el('dd', {}, `${target.backend} every ${target.interval}, ${target.state}${target.lastError ? ` (${target.lastError.message})` : ''}`),
      ),
    );
  }

  async function loadGraph() {
    const to = Date.now();
    const from = to - windowMs();
    const since = new Date(from).toISOString();
    let changes = [];
    let lat;
    try {
      lat = await get(`/api/targets/${enc}/latency?from=${since}&points=${GRAPH_POINTS}`, '/api/targets/{id}/latency');
    } catch (e) {
      if (disposed) return;
      graph?.destroy();
      graph = undefined;
      put(clear(graphBox), problem(e, 'Latency'));
      return;
    }
    if (prefix) {
      try {
        changes = (await get(`/api/route-changes?prefix=${encodeURIComponent(prefix.prefix)}&since=${since}&limit=10000&order=desc`)).changes;
      } catch {
        changes = [];
      }
    }
    if (disposed) return;
    points = lat.points;
    graph?.destroy();
    clear(graphBox);
    graphBox.dataset.points = String(points.length);
    graphBox.dataset.routeChanges = String(changes.length);
    if (points.length === 0) put(graphBox, el('p', { class: 'muted' }, `No traces in the last ${range}.`));
    graph = latencyGraph(graphBox, {
      points,
      from,
      to,
      routeChanges: changes,
      verdicts: verdicts.filter((v) => Date.parse(v.at) >= from),
      onPick: (i) => {
        followLatest = i === points.length - 1;
        void pick(i);
      },
    });
    if (target) drawHead();
    const keep = followLatest ? -1 : points.findIndex((p) => p.start === pickedStart);
    if (keep >= 0) graph.select(keep);
    else {
      followLatest = true;
      void pick(points.length - 1);
    }
  }

  async function pick(i) {
    const p = points[i];
    pickedStart = p?.start;
    graph?.select(i);
    if (!p) {
      put(clear(pathBox), el('p', { class: 'muted' }, 'No trace to show.'));
      exportBtn.disabled = true;
      return;
    }
    put(clear(pathBox), loading('the path'));
    const prev = points[i - 1];
    // This trace and the one stored just before it (the graph may show only one trace of
    // several in a long window): newest first from [previous point, this start]; `to` is
    // inclusive and stored starts carry fractions of a ms.
    const to = new Date(Date.parse(p.start) + 1).toISOString();
    const from = prev ? prev.start : p.start;
    let traces;
    try {
      traces = (await get(`/api/targets/${enc}/traces?from=${from}&to=${to}&limit=3&order=desc`, '/api/targets/{id}/traces')).traces;
    } catch (e) {
      put(clear(pathBox), problem(e, 'Trace'));
      return;
    }
    if (disposed || pickedStart !== p.start) return;
    const at = Math.max(0, traces.findIndex((t) => t.start === p.start));
    const cur = traces[at];
    const before = prev ? (traces[at + 1] ?? null) : null;
    if (!cur) {
      put(clear(pathBox), el('p', { class: 'muted' }, 'That trace is no longer stored.'));
      return;
    }
    const title = `${target?.name ?? id} (${cur.target}) ${i === points.length - 1 ? 'latest trace' : 'trace'}`;
    const svg = pathDiagram(cur, before, title);
    pathBox.dataset.start = cur.start;
    put(clear(pathBox), svg);
    exportBtn.disabled = false;
    exportBtn.onclick = () => downloadSvg(svg, `smoketrace-${id}-${utc(cur.start).replace(/[ :]/g, '').replace(/-/g, '')}Z.svg`);
  }

  function deltas(d) {
    if (!d) return '';
    const parts = [];
    if (d.rttMs !== null) parts.push(`RTT ${d.rttMs > 0 ? '+' : ''}${d.rttMs.toFixed(1)} ms${d.rttPct !== null ? ` (${d.rttPct > 0 ? '+' : ''}${d.rttPct.toFixed(0)} %)` : ''}`);
    if (d.hops !== null && d.hops !== 0) parts.push(`hops ${d.hops > 0 ? '+' : ''}${d.hops}`);
    if (d.asHops !== null && d.asHops !== 0) parts.push(`AS hops ${d.asHops > 0 ? '+' : ''}${d.asHops}`);
    if (d.lossPts !== null && d.lossPts !== 0) parts.push(`loss ${d.lossPts > 0 ? '+' : ''}${d.lossPts.toFixed(1)} pts`);
    return parts.join(', ');
  }

  async function loadVerdicts() {
    try {
      verdicts = (await get(`/api/verdicts?target=${enc}&limit=200`)).verdicts;
      verdictError = undefined;
    } catch (e) {
      verdicts = [];
      verdictError = e;
    }
    if (verdictError) {
      put(clear(verdictBox), el('h2', {}, 'Verdicts'), problem(verdictError, 'Verdicts'));
      return;
    }
    put(clear(verdictBox), 
      el('h2', {}, 'Verdicts'),
      verdicts.length === 0
        ? el('p', { class: 'muted' }, 'No verdicts for this target.')
        : el(
            'ol',
            { class: 'verdict-list' },
            verdicts.map((v) =>
              el(
                'li',
                { 'data-verdict': v.id, class: `v-${v.kind}` },
                el('div', { class: 'v-head' }, badge(v.kind), ' ', time(v.at), ' ', el('span', { class: 'muted' }, `${v.confidence} confidence · ${v.causeKind}`), ' ', el('span', { class: 'deltas' }, deltas(v.deltas))),
                v.bgp?.prefix
                  ? el('div', { class: 'v-bgp' }, 'BGP ', el('a', { href: link.prefix(v.bgp.prefix) }, v.bgp.prefix), v.bgp.peer ? ` via AS${v.bgp.peer.asn}` : '', ': ', el('code', {}, asPath(v.bgp.before)), ' → ', el('code', {}, asPath(v.bgp.after)))
                  : null,
                v.trace ? el('div', { class: 'v-trace' }, 'trace ASes: ', el('code', {}, traceAs(v.trace.beforeAs)), ' → ', el('code', {}, traceAs(v.trace.afterAs))) : null,
                el('ul', { class: 'reasons' }, (v.reasons ?? []).map((r) => el('li', {}, r))),
                v.findings?.length ? el('div', { class: 'findings' }, v.findings.map((f) => badge('finding', f))) : null,
              ),
            ),
          ),
    );
  }

  async function loadPathChanges() {
    try {
      // The newest 50 of the week, newest first from the server however many there were.
      const r = await get(`/api/targets/${enc}/path-changes?since=7d&limit=50&order=desc`, '/api/targets/{id}/path-changes');
      const list = r.changes;
      put(clear(changesBox), 
        el('h2', {}, 'Path changes seen by the prober'),
        list.length === 0
          ? el('p', { class: 'muted' }, 'None in the last 7 days.')
          : el('ol', { class: 'change-list' }, list.map((c) => el('li', {}, time(c.at), ' ', badge('change', c.kind), ' ', (c.reasons ?? []).join('; ')))),
      );
    } catch (e) {
      put(clear(changesBox), el('h2', {}, 'Path changes seen by the prober'), problem(e, 'Path changes'));
    }
  }

  const later = throttle();
  const soon = later.soon;

  async function refresh() {
    if (!(await loadHead())) return;
    await loadVerdicts();
    await loadGraph();
    void loadPathChanges();
  }
  void refresh();

  return {
    refresh,
    live(type, d) {
      // A trace or verdict names its target as targetId; a 'target' event is the target itself.
      const mine = d && (d.targetId === id || d.target === id || (type === 'target' && d.id === id));
      if ((type === 'trace' || type === 'path-change') && (mine || d?.targetId === undefined)) {
        soon('graph', () => void loadGraph());
        if (type === 'path-change') soon('changes', () => void loadPathChanges());
      }
      if (type === 'route-change' && prefix && (d?.prefix === undefined || d.prefix === prefix.prefix)) soon('graph', () => void loadGraph());
      if (type === 'verdict' && (mine || d?.targetId === undefined)) soon('verdicts', async () => (await loadVerdicts(), void loadGraph()));
      if (type === 'target' && mine) soon('head', () => void loadHead());
    },
    dispose() {
      disposed = true;
      later.dispose();
      graph?.destroy();
    },
  };
}
