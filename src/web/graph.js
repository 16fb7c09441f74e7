// The SmokePing-style latency graph of one target, drawn with uPlot (axes, scales and
// cursor) plus a draw hook for what uPlot has no series type for: per trace a column of
// "smoke" (min..max, p10..p90, p25..p75 of the destination's RTT samples, darker towards
// the middle) and the median as a short bar coloured by loss. A trace that never reached
// the target is a red bar at the top. Route changes of the covering prefix are amber
// lines with a marker on the time axis; verdicts are diamonds at the top. Markers are
// DOM elements over the plot (hover shows what they are). A click picks the nearest trace.
/* global window, document, getComputedStyle, ResizeObserver */
import uPlot from './uplot.js';
import { LOSS_COLOURS, asPath, el, lossColour, ms, pct, utc, put } from './dom.js';

const VERDICT_COLOURS = { worse: '#d7191c', unreachable: '#d7191c', better: '#1a9641', same: '#777' };

/** The page's colours for what uPlot draws on its canvas (style.css sets them, dark mode too). */
function themeColours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return { axis: v('--axis', '#333'), grid: v('--grid', '#eee'), smoke: v('--smoke', '0, 0, 0') };
}

/**
 * latencyGraph(box, { points, from, to, routeChanges, verdicts, onPick }) -> { select(i), destroy() }
 * points: /api/targets/:id/latency points (oldest first); from/to: epoch ms of the window.
 */
export function latencyGraph(box, opts) {
  const theme = themeColours();
  const pts = opts.points;
  const xs = pts.map((p) => Date.parse(p.start) / 1000);
  const med = pts.map((p) => p.rttMs);
  let top = 1;
  for (const p of pts) top = Math.max(top, p.p90Ms ?? p.maxMs ?? p.rttMs ?? 0);
  top *= 1.15;
  const gaps = xs.slice(1).map((x, i) => x - xs[i]).sort((a, b) => a - b);
  const step = gaps.length ? gaps[gaps.length >> 1] : 60;
  let selected = pts.length - 1;
  // A window the traces do not fill yet (a new target) starts at its first trace rather
  // than leaving the traces a sliver at the right edge; the axis says what is shown.
  const xmin = xs.length ? Math.max(opts.from / 1000, xs[0] - 2 * step) : opts.from / 1000;
  const xmax = Math.max(opts.to / 1000, (xs[xs.length - 1] ?? 0) + step);

  const readout = el('div', { class: 'readout', id: 'graph-readout' });
  const plotBox = el('div', { class: 'plot' });
  const legend = el(
    'div',
    { class: 'graph-legend' },
    el('span', {}, 'loss: '),
    LOSS_COLOURS.map(([, c, label]) => el('span', { class: 'swatch' }, el('i', { class: 'sw', 'data-colour': c }), label)),
    el('span', { class: 'swatch' }, el('i', { class: 'sw rc' }), 'route change'),
    el('span', { class: 'swatch' }, el('i', { class: 'sw vd' }), 'verdict'),
  );
  for (const i of legend.querySelectorAll('i[data-colour]')) i.style.background = i.dataset.colour;
  put(box, plotBox, readout, legend);

  function describe(i) {
    const p = pts[i];
    if (!p) return 'No traces in this window.';
    return `${utc(p.start)} UTC · median ${ms(p.rttMs)} · spread ${ms(p.minMs)}–${ms(p.maxMs)} · loss ${pct(p.lossPct)} · ${p.hops} hops · AS ${p.asPath.length ? asPath(p.asPath) : 'unknown'}${p.reached ? '' : ' · NOT REACHED'}`;
  }
  readout.textContent = describe(selected);

  const markersLayer = el('div', { class: 'markers' });

  function drawSmoke(u) {
    const ctx = u.ctx;
    const dpr = u.pxRatio ?? window.devicePixelRatio ?? 1;
    const { left, top: t, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, t, width, height);
    ctx.clip();
    const y = (v) => u.valToPos(v, 'y', true);
    const bands = [
      ['minMs', 'maxMs', `rgba(${theme.smoke},0.10)`],
      ['p10Ms', 'p90Ms', `rgba(${theme.smoke},0.14)`],
      ['p25Ms', 'p75Ms', `rgba(${theme.smoke},0.20)`],
    ];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      const x0 = u.valToPos(xs[i] - step / 2, 'x', true);
      const x1 = u.valToPos(xs[i] + step / 2, 'x', true);
      const w = Math.max(1, x1 - x0 - dpr);
      if (!p.reached || p.rttMs === null) {
        ctx.fillStyle = '#d7191c';
        ctx.fillRect(x0, t, w, 6 * dpr);
        continue;
      }
      for (const [lo, hi, colour] of bands) {
        if (p[lo] === null || p[hi] === null) continue;
        ctx.fillStyle = colour;
        ctx.fillRect(x0, y(p[hi]), w, Math.max(1, y(p[lo]) - y(p[hi])));
      }
      ctx.fillStyle = lossColour(p.lossPct);
      ctx.fillRect(x0, y(p.rttMs) - 1.5 * dpr, w, 3 * dpr);
    }
    // route changes: dashed amber lines
    ctx.strokeStyle = '#e08000';
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    for (const c of opts.routeChanges) {
      const x = u.valToPos(Date.parse(c.time) / 1000, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x, t);
      ctx.lineTo(x, t + height);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // the picked trace
    if (pts[selected]) {
      const x = u.valToPos(xs[selected], 'x', true);
      ctx.strokeStyle = 'rgba(30,90,200,0.8)';
      ctx.lineWidth = 1 * dpr;
      ctx.strokeRect(x - (step / 2) * (width / (u.scales.x.max - u.scales.x.min)), t, Math.max(3 * dpr, (step * width) / (u.scales.x.max - u.scales.x.min)), height);
    }
    ctx.restore();
    placeMarkers(u);
  }

  function placeMarkers(u) {
    markersLayer.replaceChildren();
    const h = u.bbox.height / (u.pxRatio || 1);
    for (const c of opts.routeChanges) {
      const t = Date.parse(c.time) / 1000;
      if (t < u.scales.x.min || t > u.scales.x.max) continue;
      const before = c.before ? asPath(c.before.asPath) : '∅';
      const after = c.after ? asPath(c.after.asPath) : '∅';
      const m = el('div', {
        class: `marker route-change rc-${c.kind}`,
        'data-time': c.time,
        title: `${utc(c.time)} UTC route ${c.kind} of ${c.prefix} from AS${c.peer.asn} ${c.peer.address}: ${before} → ${after}`,
        role: 'img',
        'aria-label': `route change ${c.kind} at ${utc(c.time)} UTC`,
      });
      m.style.left = `${u.valToPos(t, 'x')}px`;
      m.style.height = `${h}px`;
      put(markersLayer, m);
    }
    for (const v of opts.verdicts) {
      const t = Date.parse(v.at) / 1000;
      if (t < u.scales.x.min || t > u.scales.x.max) continue;
      const m = el('div', { class: `marker verdict v-${v.kind}`, 'data-time': v.at, title: `${utc(v.at)} UTC verdict ${v.kind} (${v.confidence}): ${(v.reasons ?? []).join('; ')}`, role: 'img', 'aria-label': `verdict ${v.kind}` });
      m.style.left = `${u.valToPos(t, 'x')}px`;
      m.style.background = VERDICT_COLOURS[v.kind] ?? '#777';
      put(markersLayer, m);
    }
  }

  const width = () => Math.max(280, plotBox.clientWidth || box.clientWidth || 600);
  const height = () => (window.innerWidth < 640 ? 200 : 260);
  const u = new uPlot(
    {
      width: width(),
      height: height(),
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { show: false },
      scales: { x: { time: true, range: () => [xmin, xmax] }, y: { range: () => [0, top] } },
      axes: [
        { space: 90, values: (_u, ticks) => ticks.map((v) => (xmax - xmin > 2 * 86400 ? utc(v * 1000).slice(5, 16) : utc(v * 1000).slice(11, xmax - xmin < 600 ? 19 : 16))), stroke: theme.axis, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid } },
        { label: 'RTT (ms)', stroke: theme.axis, grid: { stroke: theme.grid }, ticks: { stroke: theme.grid }, size: 50 },
      ],
      series: [{}, { label: 'median', stroke: 'transparent', points: { show: false } }],
      hooks: {
        draw: [drawSmoke],
        setCursor: [
          (uu) => {
            const i = uu.cursor.idx;
            readout.textContent = describe(i ?? selected);
          },
        ],
      },
    },
    [xs, med],
    plotBox,
  );
  put(u.over, markersLayer);
  // The time window in epoch seconds, for whoever needs to place something on it (tests, too).
  plotBox.dataset.xmin = String(xmin);
  plotBox.dataset.xmax = String(xmax);
  u.over.addEventListener('click', () => {
    const i = u.cursor.idx;
    if (i === null || i === undefined) return;
    selected = i;
    u.redraw(false);
    opts.onPick?.(i);
  });
  u.over.addEventListener('mouseleave', () => (readout.textContent = describe(selected)));
  // Keyboard: the arrows step through the traces.
  plotBox.tabIndex = 0;
  plotBox.setAttribute('aria-label', 'Latency graph: left and right arrows pick a trace');
  plotBox.addEventListener('keydown', (ev) => {
    const d = ev.key === 'ArrowLeft' ? -1 : ev.key === 'ArrowRight' ? 1 : 0;
    if (d === 0 || pts.length === 0) return;
    ev.preventDefault();
    selected = Math.max(0, Math.min(pts.length - 1, selected + d));
    readout.textContent = describe(selected);
    u.redraw(false);
    opts.onPick?.(selected);
  });

  const ro = new ResizeObserver(() => u.setSize({ width: width(), height: height() }));
  ro.observe(box);

  return {
    select(i) {
      selected = i;
      readout.textContent = describe(i);
      u.redraw(false);
    },
    destroy() {
      ro.disconnect();
      u.destroy();
      box.replaceChildren();
    },
  };
}
