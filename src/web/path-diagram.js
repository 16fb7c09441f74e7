// The path diagram of one trace as SVG: one row per hop (TTL, responder, median RTT,
// loss), hops grouped into boxes by origin AS, and hops that differ from the previous
// trace (another responder at that TTL, or a hop it did not have) highlighted. Colours
// and fonts are attributes on the elements, so the exported file stands on its own.
/* global document, XMLSerializer, Blob */
import { utc } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const ROW = 30;
const HEAD = 44;

function s(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function median(xs) {
  if (xs.length === 0) return null;
  const a = [...xs].sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

const answering = (h) => h.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0);

function hopRtt(h) {
  const m = median(h.responders.flatMap((r) => r.rtts));
  if (m !== null) return m;
  const withStats = h.responders.filter((r) => r.stats && r.received > 0);
  if (withStats.length === 0) return null;
  const n = withStats.reduce((a, r) => a + r.received, 0);
  return withStats.reduce((a, r) => a + r.stats.avg * r.received, 0) / n;
}

function asKey(h) {
  const r = answering(h);
  if (r.length === 0) return 'silent';
  const asns = [...new Set(r.map((x) => x.asn).filter((a) => typeof a === 'number'))].sort((a, b) => a - b);
  return asns.length ? asns.join(',') : 'none';
}

/** The hops up to the destination (a trace may list hops past it). */
function hopsOf(trace) {
  const i = trace.hops.findIndex((h) => answering(h).some((r) => r.address === trace.target));
  return i >= 0 ? trace.hops.slice(0, i + 1) : trace.hops;
}

/** Which TTLs differ from the previous trace; all false without one. */
export function changedHops(trace, previous) {
  const hops = hopsOf(trace);
  if (!previous) return hops.map(() => false);
  const prev = new Map(hopsOf(previous).map((h) => [h.ttl, new Set(answering(h).map((r) => r.address))]));
  return hops.map((h) => {
    const now = answering(h).map((r) => r.address);
    if (now.length === 0) return false; // a silent hop proves nothing (rate limits)
    const before = prev.get(h.ttl);
    if (!before) return true;
    return before.size === 0 ? false : !now.every((a) => before.has(a)) || now.length !== before.size;
  });
}

/** Builds the <svg> of `trace` (Trace JSON) compared with `previous` (or null). */
export function pathDiagram(trace, previous, title) {
  const hops = hopsOf(trace);
  const changed = changedHops(trace, previous);
  const keys = hops.map(asKey);
  // A silent hop between two hops of one AS belongs to that AS.
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== 'silent') continue;
    let j = i + 1;
    while (j < keys.length && keys[j] === 'silent') j++;
    if (i > 0 && j < keys.length && keys[i - 1] === keys[j]) keys[i] = keys[j];
  }
  const prevAses = new Set(previous ? hopsOf(previous).map(asKey) : []);
  const W = 680;
  const H = HEAD + hops.length * ROW + 16;
  const svg = s('svg', { xmlns: NS, viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'path-svg', 'font-family': 'ui-monospace, Menlo, Consolas, monospace', 'font-size': 12, role: 'img' });
  svg.append(s('title', {}, title));
  svg.append(s('rect', { x: 0, y: 0, width: W, height: H, fill: '#ffffff' }));
  svg.append(s('text', { x: 10, y: 18, 'font-size': 13, 'font-weight': 'bold', fill: '#222' }, title));
  svg.append(
    s('text', { x: 10, y: 34, fill: '#555' }, `${utc(trace.start)} UTC · ${trace.backend}/${trace.method} · ${trace.reached ? 'reached' : 'NOT reached'}${previous ? ` · compared with ${utc(previous.start)} UTC` : ''}`),
  );
  // AS group boxes
  let g0 = 0;
  for (let i = 1; i <= hops.length; i++) {
    if (i < hops.length && keys[i] === keys[g0]) continue;
    const k = keys[g0];
    const y = HEAD + g0 * ROW + 2;
    const h = (i - g0) * ROW - 4;
    const isNew = previous && k !== 'silent' && k !== 'none' && !prevAses.has(k);
    const label = k === 'silent' ? 'no answer' : k === 'none' ? 'no AS' : `AS${k.replaceAll(',', ' AS')}`;
    svg.append(
      s('rect', { x: 6, y, width: 128, height: h, rx: 5, fill: k === 'silent' || k === 'none' ? '#f4f4f4' : '#eaf1fb', stroke: isNew ? '#e08000' : '#9db4d8', 'stroke-width': isNew ? 2 : 1, class: 'as-group', 'data-as': k }),
      s('text', { x: 14, y: y + 17, fill: '#1d3f73', 'font-weight': 'bold' }, label),
    );
    if (isNew) svg.append(s('text', { x: 14, y: y + 31, fill: '#b05f00', 'font-size': 10 }, 'new AS'));
    g0 = i;
  }
  // the path line
  if (hops.length > 1) svg.append(s('line', { x1: 170, y1: HEAD + ROW / 2, x2: 170, y2: HEAD + (hops.length - 0.5) * ROW, stroke: '#999', 'stroke-width': 2 }));
  hops.forEach((h, i) => {
    const y = HEAD + i * ROW + ROW / 2;
    const rs = answering(h);
    const loss = h.sent > 0 ? Math.max(0, 1 - h.received / h.sent) * 100 : null;
    const rtt = hopRtt(h);
    const isDest = rs.some((r) => r.address === trace.target);
    const g = s('g', { class: changed[i] ? 'hop changed' : 'hop', 'data-ttl': h.ttl });
    if (changed[i]) g.append(s('rect', { x: 140, y: y - ROW / 2 + 2, width: W - 146, height: ROW - 4, rx: 4, fill: '#fff1dc', stroke: '#e08000' }));
    g.append(
      s('text', { x: 146, y: y + 4, fill: '#666', 'text-anchor': 'start' }, String(h.ttl)),
      s('circle', { cx: 170, cy: y, r: 6, fill: rs.length === 0 ? '#ffffff' : isDest ? '#1a9641' : '#2b6cb0', stroke: '#555' }),
      s('text', { x: 184, y: y + 4, fill: rs.length ? '#111' : '#999' }, rs.length === 0 ? '*' : `${rs[0].address}${rs.length > 1 ? ` +${rs.length - 1}` : ''}${rs[0].name ? ` (${rs[0].name})` : ''}`.slice(0, 52)),
      s('text', { x: W - 120, y: y + 4, fill: '#111', 'text-anchor': 'end', class: 'hop-rtt' }, rtt === null ? '—' : `${rtt.toFixed(1)} ms`),
      s('text', { x: W - 12, y: y + 4, fill: loss ? '#c0392b' : '#555', 'text-anchor': 'end' }, loss === null ? '' : `${loss.toFixed(0)} % loss`),
    );
    if (changed[i]) g.append(s('title', {}, `hop ${h.ttl} changed since the previous trace`));
    svg.append(g);
  });
  return svg;
}

/** Offers the SVG as a file download. */
export function downloadSvg(svg, filename) {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(svg)}`;
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}
