// Alerts: what alerting told people (with deliveries and acknowledgement), and the
// silences (create, delete). Writes carry the token from the header's field.
/* global FormData */
import { ApiFailure, get, write } from './api.js';
import { badge, clear, el, link, loading, problem, time, put } from './dom.js';

function writeProblem(e) {
  if (e instanceof ApiFailure && (e.status === 401 || e.status === 403)) return `${e.message} — set the API token (header, "token").`;
  return e.message;
}

export function render(view) {
  const alertsBox = el('section', { class: 'panel', id: 'alerts' }, el('h1', {}, 'Alerts'), loading('alerts'));
  const silencesBox = el('section', { class: 'panel', id: 'silences' }, el('h2', {}, 'Silences'), loading('silences'));
  const status = el('div', { class: 'write-status', id: 'write-status', role: 'status' });
  put(view, status, alertsBox, silencesBox);

  const say = (text, bad = false) => {
    status.className = `write-status ${bad ? 'error' : 'ok'}`;
    status.textContent = text;
  };

  async function ack(a) {
    try {
      await write('POST', `/api/alerts/${encodeURIComponent(a.id)}/ack`, {}, '/api/alerts/{id}/ack');
      say(`Alert ${a.id} acknowledged.`);
      await loadAlerts();
    } catch (e) {
      say(`Acknowledging failed: ${writeProblem(e)}`, true);
    }
  }

  async function loadAlerts() {
    try {
      const r = await get('/api/alerts?limit=100');
      put(clear(alertsBox), 
        el('h1', {}, 'Alerts'),
        r.alerts.length === 0
          ? el('p', { class: 'muted' }, 'No alerts.')
          : el(
              'ol',
              { class: 'alert-list' },
              r.alerts.map((a) =>
                el(
                  'li',
                  { 'data-alert': a.id, class: a.acknowledged ? 'acked' : '' },
                  el('div', { class: 'a-head' }, badge(a.kind === 'recovery' ? 'better' : a.verdict, a.kind === 'recovery' ? 'recovery' : a.verdict), ' ', el('strong', {}, a.subject), ' ', time(a.createdAt)),
                  el('p', {}, a.summary),
                  el(
                    'ul',
                    { class: 'a-targets' },
                    a.targets.map((t) => el('li', {}, badge(t.kind), ' ', el('a', { href: link.target(t.targetId) }, t.targetName), ' ', el('code', {}, t.address), t.prefix ? [' ', el('a', { href: link.prefix(t.prefix) }, t.prefix)] : null)),
                  ),
                  el(
                    'div',
                    { class: 'a-deliveries' },
                    a.deliveries.length === 0
                      ? el('span', { class: 'delivery muted' }, 'not sent: no channel is configured for its rule')
                      : a.deliveries.map((d) => el('span', { class: `delivery d-${d.state}`, title: d.lastError ?? '' }, `${d.channel}: ${d.state}${d.attempts > 1 ? ` (${d.attempts} attempts)` : ''}${d.state === 'failed' && d.lastError ? ` — ${d.lastError}` : ''}`)),
                  ),
                  a.acknowledged
                    ? el('div', { class: 'acked-by' }, 'acknowledged ', time(a.acknowledged.at), a.acknowledged.by ? ` by ${a.acknowledged.by}` : '')
                    : el('button', { type: 'button', class: 'ack', onclick: () => void ack(a) }, 'Acknowledge'),
                ),
              ),
            ),
      );
    } catch (e) {
      put(clear(alertsBox), el('h1', {}, 'Alerts'), problem(e, 'Alerts'));
    }
  }

  function form() {
    const f = el(
      'form',
      { class: 'silence-form', id: 'silence-form' },
      el('label', {}, 'Prefix ', el('input', { name: 'prefix', placeholder: '198.51.100.0/24' })),
      el('label', {}, 'or target ', el('input', { name: 'target', placeholder: 'target id' })),
      el('label', {}, 'for ', el('select', { name: 'for' }, ['1h', '4h', '12h', '24h', '7d'].map((d) => el('option', { value: d }, d)))),
      el('label', { class: 'wide' }, 'Comment ', el('input', { name: 'comment', required: true, placeholder: 'why (shown with the silence)' })),
      el('button', { type: 'submit' }, 'Silence'),
    );
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = Object.fromEntries(new FormData(f));
      const hours = { '1h': 1, '4h': 4, '12h': 12, '24h': 24, '7d': 168 }[v.for];
      const body = { end: new Date(Date.now() + hours * 3600_000).toISOString(), comment: v.comment };
      if (v.prefix) body.prefix = v.prefix;
      if (v.target) body.target = v.target;
      try {
        await write('POST', '/api/silences', body);
        say('Silence created.');
        f.reset();
        await loadSilences();
      } catch (e) {
        say(`Creating the silence failed: ${writeProblem(e)}`, true);
      }
    });
    return f;
  }

  async function remove(sl) {
    try {
      await write('DELETE', `/api/silences/${encodeURIComponent(sl.id)}`, undefined, '/api/silences/{id}');
      say(`Silence ${sl.id} deleted.`);
      await loadSilences();
    } catch (e) {
      say(`Deleting the silence failed: ${writeProblem(e)}`, true);
    }
  }

  async function loadSilences() {
    try {
      const r = await get('/api/silences');
      put(clear(silencesBox), 
        el('h2', {}, 'Silences'),
        form(),
        r.silences.length === 0
          ? el('p', { class: 'muted' }, 'No silences.')
          : el(
              'table',
              { class: 'grid' },
              el('thead', {}, el('tr', {}, ['', 'Matches', 'From', 'Until', 'Comment', ''].map((h) => el('th', { scope: 'col' }, h)))),
              el(
                'tbody',
                {},
                r.silences.map((sl) =>
                  el(
                    'tr',
                    { 'data-silence': sl.id },
                    el('td', {}, badge(sl.active ? 'ok' : 'no-data', sl.active ? 'active' : 'inactive')),
                    el('td', { 'data-label': 'Matches' }, sl.prefix ? el('a', { href: link.prefix(sl.prefix) }, sl.prefix) : '', sl.target ? el('a', { href: link.target(sl.target) }, sl.target) : ''),
                    el('td', { 'data-label': 'From' }, time(sl.start)),
                    el('td', { 'data-label': 'Until' }, time(sl.end)),
                    el('td', { 'data-label': 'Comment' }, sl.comment),
                    el('td', {}, el('button', { type: 'button', class: 'delete', onclick: () => void remove(sl) }, 'Delete')),
                  ),
                ),
              ),
            ),
      );
    } catch (e) {
      put(clear(silencesBox), el('h2', {}, 'Silences'), problem(e, 'Silences'));
    }
  }

  const refresh = () => {
    void loadAlerts();
    void loadSilences();
  };
  refresh();
  return {
    refresh,
    live(type) {
      if (type === 'alert') void loadAlerts();
    },
  };
}
