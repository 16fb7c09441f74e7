// Routers: every BMP router / RIS collector / MRT source the RIB knows, its state, route
// count, decode errors, connection and per peer: state, routes, End-of-RIB, last message.
import { get } from './api.js';
import { badge, clear, el, loading, problem, time, put } from './dom.js';

export function render(view) {
  const box = el('section', { class: 'panel', id: 'routers' }, el('h1', {}, 'Routers'), loading('routers'));
  put(view, box);

  async function refresh() {
    let r;
    try {
      r = await get('/api/routers');
    } catch (e) {
      put(clear(box), el('h1', {}, 'Routers'), problem(e, 'Routers'));
      return;
    }
    const total = r.routers.reduce((n, x) => n + x.routes, 0);
    const up = r.routers.filter((x) => x.state === 'up').length;
    put(clear(box), 
      el('h1', {}, 'Routers'),
      el('p', { class: 'summary', id: 'routers-summary' }, `${r.routers.length} router${r.routers.length === 1 ? '' : 's'}, ${up} up, ${total.toLocaleString('en')} routes`),
      r.routers.length === 0 ? el('p', { class: 'muted' }, 'No router has connected yet (BMP) and no feed is running.') : null,
      r.routers.map((x) =>
        el(
          'article',
          { class: 'router', 'data-router': x.router },
          el(
            'h2',
            {},
            badge(x.state === 'up' ? 'ok' : 'unreachable', x.state),
            ' ',
            x.info.sysName ? `${x.info.sysName} ` : '',
            el('code', {}, x.router),
            ' ',
            el('span', { class: 'muted' }, x.source),
          ),
          el(
            'dl',
            { class: 'facts' },
            el('dt', {}, 'Routes'),
            el('dd', { class: 'router-routes' }, String(x.routes)),
            el('dt', {}, 'Peers'),
            el('dd', {}, `${x.peers.filter((p) => p.state === 'up').length} up of ${x.peers.length}`),
            el('dt', {}, 'Decode errors'),
            el('dd', { class: x.decodeErrors ? 'bad' : '' }, String(x.decodeErrors)),
            el('dt', {}, 'Last message'),
            el('dd', {}, time(x.lastMessage)),
            el('dt', {}, 'Connection'),
            el('dd', {}, x.connection ? `port ${x.connection.remotePort}, ${x.connection.messages} messages${x.connection.paused ? ', PAUSED' : ''}, ${x.connection.queuedBytes} B queued` : 'none'),
            x.info.sysDescr ? [el('dt', {}, 'Description'), el('dd', {}, x.info.sysDescr)] : null,
          ),
          el(
            'table',
            { class: 'grid peers' },
            el('thead', {}, el('tr', {}, ['Peer', 'AS', 'Table', 'State', 'Routes', 'End-of-RIB', 'Last message'].map((h) => el('th', { scope: 'col' }, h)))),
            el(
              'tbody',
              {},
              x.peers.map((p) =>
                el(
                  'tr',
                  { 'data-peer': p.peer.address },
                  el('td', { 'data-label': 'Peer' }, el('code', {}, p.peer.address)),
                  el('td', { 'data-label': 'AS' }, `AS${p.peer.asn}`),
                  el('td', { 'data-label': 'Table' }, p.table),
                  el('td', { 'data-label': 'State' }, badge(p.state === 'up' ? 'ok' : 'unreachable', p.state)),
                  el('td', { 'data-label': 'Routes', class: 'num peer-routes' }, String(p.routes)),
                  el('td', { 'data-label': 'End-of-RIB' }, p.endOfRib ? 'yes' : 'not yet'),
                  el('td', { 'data-label': 'Last message' }, time(p.lastMessage)),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
  void refresh();
  // Route counts move with every update; a BMP router has no event of its own here, so poll.
  const timer = globalThis.setInterval(() => void refresh(), 10_000);
  return {
    refresh,
    dispose() {
      globalThis.clearInterval(timer);
    },
  };
}
