// The prober end to end against the real lab (FRR in namespaces, user-space delay links):
// - `smoketrace trace` (the real CLI process) from the probe namespace shows the hops
//   `mtr --json -n` shows, the fast path's RTT, and per hop the origin AS from a Service
//   whose RIB is fed by r1's BMP (the lab up with announceLinks, so link subnets are in BGP).
// - A Service tracing with scamper icmp-paris every 2 s under per-flow ECMP sees no path
//   change over >= 6 traces.
// - ICMP rate limiting on r2 with no end-to-end loss is no loss change; 30 % loss on the
//   r2-r4 link is, and GET /api/targets/:id/path-changes says so.
// Needs root, FRR, mtr, scamper, python3; skips with the reason otherwise (fails under
// SMOKETRACE_REQUIRE_LAB=1).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { bin, cleanEnv } from '../cli/cli-process.ts';
import { findTool, repoRoot, requirement } from '../helpers/requirements.ts';
import { type Running, startService, waitFor } from '../service/helpers.ts';
import { ASN, BMP_ADDR, HOP_ASNS, HOPS, Lab, TARGETS, TARGET_PREFIXES, freePort } from './lab.ts';

const TOOLS = ['mtr', 'scamper', 'ip', 'zebra', 'bgpd', 'python3'];
const missing = TOOLS.filter((t) => findTool(t) === undefined);
const isRoot = process.getuid?.() === 0;
const TOKEN = 'lab-token-0123456789abcdef';
const ALLOWED = [...TARGET_PREFIXES.v4, ...TARGET_PREFIXES.v6];
/** Fast path ~5.7 ms at the target (lab README); a loaded 2-core machine adds, never removes. */
const RTT_MIN = 4.5;
const RTT_MAX = 15;
const fam = (a: string) => (a.includes(':') ? 'v6' : 'v4');

function cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface JsonHop {
  ttl: number;
  responders: { address: string; asn: number | null; rtts: number[]; stats?: { best: number } }[];
  sent: number;
  received: number;
}

async function api(s: Running, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('prober in the lab', { timeout: 360_000 }, () => {
  let lab: Lab | undefined;
  let s: Running | undefined;
  let netns = '';
  const log: string[] = [];

  before(async () => {
    if (!isRoot || missing.length > 0) return;
    const bmpPort = await freePort();
    lab = await Lab.up({ bmpPort, announceLinks: true });
    netns = lab.ns('probe');
    const t = { after: (fn: () => void | Promise<void>) => void cleanups.push(fn) };
    s = await startService(
      t,
      [
        `bmp.listen=${BMP_ADDR}:${bmpPort}`,
        `api.token=${TOKEN}`,
        `probe.allowed=${JSON.stringify(ALLOWED)}`,
        `probe.netns=${netns}`,
        'probe.backend=scamper',
        'probe.method=icmp-paris',
        'probe.min_interval=1s',
        'probe.interval=1h',
      ],
      { probeFlushEveryMs: 100 },
      { bmp: { allow: ['10.77.255.0/29'] } },
    );
    // r1's BMP has arrived once the RIB covers the last hop's link subnet and the targets.
    await waitFor(
      "r1's routes in the RIB",
      async () => {
        const a = await s!.get('/api/lookup?ip=10.77.24.2');
        const b = await s!.get('/api/lookup?ip=2001:db8:200::1');
        return a.body.origins?.[0] === ASN.r4 && b.body.origins?.[0] === ASN.r4;
      },
      30_000,
    );
  });
  const cleanups: (() => void | Promise<void>)[] = [];
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await lab?.down();
    if (log.length > 0) console.log(log.join('\n'));
  });

  const ready = (t: Parameters<typeof requirement>[0]) =>
    requirement(t, isRoot && missing.length === 0, !isRoot ? 'needs root (network namespaces)' : `missing: ${missing.join(', ')}`);

  it('smoketrace trace: the hops mtr shows, the fast-path RTT, the lab AS per hop', async (t) => {
    if (!ready(t)) return;
    const targets = [...TARGETS.v4, ...TARGETS.v6];
    const base = ['trace', '--netns', netns, '--api', s!.url, '--set', `probe.allowed=${JSON.stringify(ALLOWED)}`, '--backend', 'mtr'];
    const [runs, direct, text] = await Promise.all([
      Promise.all(targets.map((a) => cli([...base, '--json', a]))),
      Promise.all(targets.map((a) => lab!.mtr(a, { count: 5 }))),
      cli([...base, TARGETS.v4[0]]),
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, '', 'the API answered: nothing on stderr');
    log.push('smoketrace trace (mtr) output:', text.stdout);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1)!, new RegExp(`^ 4\\. AS${ASN.r4}\\s+198\\.51\\.100\\.1\\s+\\d+\\.\\d%\\s+5\\s`), lines.at(-1));
    assert.match(lines[2], new RegExp(`^ 1\\. AS${ASN.r1}\\s+192\\.0\\.2\\.1\\s`), lines[2]);

    for (const [i, target] of targets.entries()) {
      const r = runs[i];
      assert.equal(r.code, 0, `${target}: ${r.stderr}`);
      const trace = JSON.parse(r.stdout) as { target: string; backend: string; hops: JsonHop[] };
      assert.equal(trace.target, target);
      assert.equal(trace.backend, 'mtr');
      const ours = trace.hops.map((h) => h.responders.map((x) => x.address));
      const theirs = direct[i].report.hubs.map((h) => [h.host]);
      assert.deepEqual(ours, theirs, `${target}: smoketrace trace shows the hops mtr --json -n shows`);
      assert.deepEqual(ours, [...HOPS.fast[fam(target)].map((h) => [h]), [target]], `${target}: the fast path`);
      const asns = trace.hops.map((h) => h.responders[0].asn);
      assert.deepEqual(asns, [...HOP_ASNS.fast, ASN.r4], `${target}: AS per hop`);
      let best = trace.hops.at(-1)!.responders[0].stats!.best;
      // A loaded machine adds delay, never removes it: re-run a slow one up to 3 times.
      for (let k = 0; k < 3 && best > RTT_MAX; k++) {
        const again = await cli([...base, '--json', target]);
        best = Math.min(best, (JSON.parse(again.stdout) as { hops: JsonHop[] }).hops.at(-1)!.responders[0].stats!.best);
      }
      assert.ok(best >= RTT_MIN && best <= RTT_MAX, `${target}: best RTT ${best} ms, expected ~5.7 (fast path)`);
      log.push(`${target}: best ${best} ms; mtr direct best ${direct[i].report.hubs.at(-1)!.Best} ms`);
    }

    // No API answering: AS? per hop and one line on stderr saying so.
    const noApi = await cli([...base.slice(0, 3), '--api', 'http://127.0.0.1:9', '--set', `probe.allowed=${JSON.stringify(ALLOWED)}`, '--backend', 'mtr', TARGETS.v4[0]]);
    assert.equal(noApi.code, 0, noApi.stderr);
    assert.equal(noApi.stdout.split('\n').filter((l) => / AS\? /.test(l)).length, 4, noApi.stdout);
    assert.equal(noApi.stderr.trim().split('\n').length, 1, noApi.stderr);
    assert.match(noApi.stderr, /no API answered at http:\/\/127\.0\.0\.1:9/);
    // Outside probe.allowed: refused, nothing sent.
    const refused = await cli([...base.slice(0, 3), '--set', 'probe.allowed=["198.51.100.0/24"]', '--backend', 'mtr', '10.77.40.2']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /outside probe\.allowed/);
  });

  it('ECMP per flow, scamper icmp-paris every 2 s: no path change over >= 6 traces', async (t) => {
    if (!ready(t)) return;
    await lab!.ecmp(true);
    try {
      const made = await api(s!, 'POST', '/api/targets', { address: TARGETS.v4[0], name: 'ecmp', backend: 'scamper', interval: '2s' });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      await waitFor('7 traces', async () => (await api(s!, 'GET', '/api/targets/ecmp')).body.runs >= 7, 45_000);
      const traces = (await api(s!, 'GET', '/api/targets/ecmp/traces?from=10m')).body.traces as { method: string; hops: JsonHop[] }[];
      assert.ok(traces.length >= 6, `>= 6 traces stored, got ${traces.length}`);
      assert.ok(traces.every((x) => x.method === 'icmp-paris'), 'scamper icmp-paris');
      const hop2 = new Set(traces.map((x) => x.hops[1]?.responders.map((r) => r.address).join(',')));
      const changes = (await api(s!, 'GET', '/api/targets/ecmp/path-changes')).body.changes as { kind: string; reasons: string[] }[];
      log.push(`ECMP: ${traces.length} traces, hop 2 seen as ${[...hop2].join(' | ')}, path changes: ${changes.length}`);
      assert.deepEqual(changes, [], 'no path change under per-flow ECMP with a Paris method');
      assert.equal(hop2.size, 1, `one ECMP branch throughout: ${[...hop2].join(' | ')}`);
      assert.equal((await api(s!, 'DELETE', '/api/targets/ecmp')).status, 204, 'deleted');
    } finally {
      await lab!.ecmp(false);
    }
  });

  it('ICMP rate limiting on r2 is no loss change; 30 % loss on r2-r4 is', async (t) => {
    if (!ready(t)) return;
    const made = await api(s!, 'POST', '/api/targets', { address: TARGETS.v4[1], name: 'loss', backend: 'mtr', interval: '2s' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const runs = async () => (await api(s!, 'GET', '/api/targets/loss')).body.runs as number;
    await waitFor('3 baseline traces', async () => (await runs()) >= 3, 40_000);
    try {
      await lab!.ratelimit('r2', 1000);
      const from = await runs();
      await waitFor('3 traces with r2 rate limiting', async () => (await runs()) >= from + 3, 40_000);
      const traces = (await api(s!, 'GET', '/api/targets/loss/traces?from=10m')).body.traces as { hops: JsonHop[] }[];
      const limited = traces.slice(-3);
      const hop2Loss = limited.map((x) => 1 - x.hops[1].received / x.hops[1].sent);
      const endLoss = limited.map((x) => 1 - x.hops.at(-1)!.received / x.hops.at(-1)!.sent);
      log.push(`rate limit r2: hop 2 loss ${hop2Loss.map((v) => `${Math.round(v * 100)}%`).join(' ')}, end-to-end ${endLoss.map((v) => `${Math.round(v * 100)}%`).join(' ')}`);
      assert.ok(hop2Loss.some((v) => v > 0), `r2's rate limit shows as hop-2 loss: ${hop2Loss.join(' ')}`);
      const during = (await api(s!, 'GET', '/api/targets/loss/path-changes')).body.changes as { kind: string }[];
      assert.deepEqual(during.map((c) => c.kind), [], 'no change for a middle hop rationing ICMP');
    } finally {
      await lab!.ratelimit('r2', false);
    }

    await lab!.impair('r2-r4', { lossPct: 30 });
    try {
      const change = await waitFor(
        'a loss path change',
        async () => {
          const r = await api(s!, 'GET', '/api/targets/loss/path-changes');
          return (r.body.changes as { kind: string; reasons: string[]; deltas: { lossPts: number } }[]).find((c) => c.kind === 'loss');
        },
        // 2 of 3 traces must lose >= 2 of 5 probes, beyond what the baseline's own loss
        // explains; a baseline with a lost probe or two (a loaded machine) needs more.
        120_000,
      ).catch(async (e: Error) => {
        // Say what the prober did see, so a failure here is readable.
        const seen = (await api(s!, 'GET', '/api/targets/loss/path-changes')).body.changes as { kind: string; reasons: string[] }[];
        const traces = (await api(s!, 'GET', '/api/targets/loss/traces?from=2m')).body.traces as { hops: JsonHop[] }[];
        const loss = traces.map((x) => `${x.hops.at(-1)!.sent - x.hops.at(-1)!.received}/${x.hops.at(-1)!.sent}`);
        throw new Error(`${e.message}; destination lost per trace: ${loss.join(' ')}; changes: ${JSON.stringify(seen.map((c) => [c.kind, c.reasons[0]]))}`, { cause: e });
      });
      log.push(`loss change: ${change.reasons.join(' | ')} (loss +${change.deltas.lossPts} pts)`);
      assert.ok(change.deltas.lossPts >= 2, `loss rose: ${change.deltas.lossPts}`);
    } finally {
      await lab!.resetImpair('r2-r4');
    }
  });
});
