// Route changes are stored for the prefixes covering every target, not only the config
// ones: a target added through the API has its BGP history in GET /api/route-changes
// (what the console's route-change markers and the prefix page read).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { startService, waitFor } from './helpers.ts';
import { ScriptedBackend } from './probe-helpers.ts';

const TOKEN = 'monitor-token-0123456789';

function risUpdate(prefix: string, path: number[], seq: number): string {
  return JSON.stringify({
    type: 'ris_message',
    data: {
      timestamp: 1_700_000_000 + seq,
      peer: '192.0.2.1',
      peer_asn: '64500',
      id: `m-${seq}`,
      host: 'rrc00',
      type: 'UPDATE',
      path,
      origin: 'igp',
      announcements: [{ next_hop: '192.0.2.1', prefixes: [prefix] }],
    },
  });
}

test('an API target makes its covering prefix monitored: its route changes are stored', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  t.after(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => r());
  }));
  let client: WebSocket | undefined;
  wss.on('connection', (ws) => {
    ws.on('message', (raw) => {
      if (JSON.parse(raw.toString()).type === 'ris_subscribe') client = ws;
    });
  });
  const port = (wss.address() as { port: number }).port;
  // The scripted backend sends no packets; the target is never really probed.
  const backend = new ScriptedBackend({ path: ['10.0.0.1'], lossPct: 0, rttMs: 5 });
  const s = await startService(
    t,
    ['bmp.enabled=false', 'ris.enabled=true', `ris.url=ws://127.0.0.1:${port}/v1/ws/`, 'ris.canary=false', `api.token=${TOKEN}`, 'probe.allowed=["198.51.100.0/24"]', 'probe.interval=1h'],
    { backends: { mtr: backend }, ris: { subscribeSpacingMs: 5, silenceTimeoutMs: 0 } },
    { ris: { subscribe: [{ prefix: '198.51.100.0/24' }] } },
  );
  await waitFor('the RIS Live subscription', () => client !== undefined);
  const seen = async (n: number) => {
    await waitFor(`${n} route events`, async () => (await s.get('/api/health')).body.components.ris?.counters.routeEvents >= n);
    await s.service.ingest.flush();
    return (await s.get('/api/route-changes?since=2023-01-01T00:00:00Z')).body.changes as { prefix: string; kind: string }[];
  };

  // No target yet and no rib.monitor: the change is learnt, not stored.
  client!.send(risUpdate('198.51.100.0/24', [64500, 64501], 1));
  assert.deepEqual(await seen(1), [], 'nothing monitored yet');

  const made = await fetch(`${s.url}/api/targets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ address: '198.51.100.7', name: 'web' }),
  });
  assert.equal(made.status, 201, await made.text());
  // The monitor reads the targets again at most once a second.
  await new Promise((r) => setTimeout(r, 1100));
  client!.send(risUpdate('198.51.100.0/24', [64500, 64502], 2));
  const changes = await seen(2);
  assert.deepEqual(changes.map((c) => [c.prefix, c.kind]), [['198.51.100.0/24', 'path-change']], 'the API target\'s prefix is monitored now');
});
