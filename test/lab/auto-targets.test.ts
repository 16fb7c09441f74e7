// Auto targets against the real lab: r1's BMP feeds the RIB; [[auto_targets.asn]] names
// r4's AS (65004, which originates the target prefixes). The lab prefixes become auto
// targets, an mtr probe finds their first address answering, and the prober traces them;
// a config target's prefix is left to it; a withdrawn prefix expires after expire_after
// (4 s here) while a pinned (accepted) one that is withdrawn too stays.
// Needs root, FRR, mtr, python3; skips with the reason otherwise (fails under
// SMOKETRACE_REQUIRE_LAB=1).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findTool, requirement } from '../helpers/requirements.ts';
import { type Running, startService, waitFor } from '../service/helpers.ts';
import { ASN, BMP_ADDR, Lab, TARGETS, TARGET_PREFIXES, freePort } from './lab.ts';

const TOOLS = ['mtr', 'ip', 'zebra', 'bgpd', 'python3'];
const missing = TOOLS.filter((t) => findTool(t) === undefined);
const isRoot = process.getuid?.() === 0;
const TOKEN = 'lab-token-0123456789abcdef';
const ALLOWED = [...TARGET_PREFIXES.v4, ...TARGET_PREFIXES.v6];
const EXPIRE_MS = 4_000;

interface TargetJson {
  id: string;
  address: string;
  source: string;
  state: string;
  runs: number;
  failures: number;
  reason?: string;
  pinned?: boolean;
}

describe('auto targets in the lab', { timeout: 120_000 }, () => {
  let lab: Lab | undefined;
  let s: Running | undefined;
  const cleanups: (() => void | Promise<void>)[] = [];

  before(async () => {
    if (!isRoot || missing.length > 0) return;
    const bmpPort = await freePort();
    lab = await Lab.up({ bmpPort });
    const t = { after: (fn: () => void | Promise<void>) => void cleanups.push(fn) };
    s = await startService(
      t,
      [
        `bmp.listen=${BMP_ADDR}:${bmpPort}`,
        `api.token=${TOKEN}`,
        `probe.allowed=${JSON.stringify(ALLOWED)}`,
        `probe.netns=${lab.ns('probe')}`,
        'probe.backend=mtr',
        'probe.min_interval=1s',
        'probe.interval=1h',
      ],
      { probeFlushEveryMs: 100 },
      {
        bmp: { allow: ['10.77.255.0/29'] },
        targets: [{ address: TARGETS.v4[0], name: 'cfg-v4' }],
        auto_targets: {
          enabled: true,
          interval: '1s',
          expire_after: `${EXPIRE_MS / 1000}s`,
          probe_interval: '2s',
          churn: { enabled: false },
          asn: [{ asn: ASN.r4, role: 'customer' }],
        },
      },
    );
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await lab?.down();
  });

  const ready = (t: Parameters<typeof requirement>[0]) =>
    requirement(t, isRoot && missing.length === 0, !isRoot ? 'needs root (network namespaces)' : `missing: ${missing.join(', ')}`);

  const targets = async (q = ''): Promise<TargetJson[]> => (await s!.get(`/api/targets${q}`)).body.targets as TargetJson[];

  it('lab prefixes become auto targets with a reason, answer, get traced; the config target is untouched; a withdrawn prefix expires, a pinned one stays', async (t) => {
    if (!ready(t)) return;
    const auto = ['203.0.113.0/24', '2001:db8:100::/48', '2001:db8:200::/48'];
    const traced = await waitFor(
      'three auto targets, each traced',
      async () => {
        const list = await targets('?source=auto');
        // Traced without a failure; `state` alone is racy: a target is 'running' during each
        // of its 2-s traces, so all three are rarely 'ok' at the same instant.
        return list.length === 3 && list.every((x) => x.runs > 0 && x.failures === 0 && x.state !== 'failing' && x.state !== 'backend-unavailable') ? list : undefined;
      },
      45_000,
    );
    assert.deepEqual(traced.map((x) => x.id).sort(), auto.map((p) => `auto-${p}`).sort());
    for (const x of traced) {
      assert.equal(x.source, 'auto');
      assert.equal(x.reason, `originated by AS${ASN.r4} (customer)`);
      // The first usable address answered: it is the lab target on tgt's loopback.
      assert.ok([...TARGETS.v4, ...TARGETS.v6].includes(x.address as never), `${x.id} probes a lab target address, got ${x.address}`);
    }
    // 198.51.100.0/24 is the config target's: no auto target, and the suggestions say why.
    const all = await targets();
    const cfg = all.find((x) => x.id === 'cfg-v4');
    assert.equal(cfg?.source, 'config');
    assert.equal(cfg?.address, TARGETS.v4[0]);
    const sug = (await s!.get('/api/targets/suggestions')).body;
    assert.ok(
      sug.skipped.some((k: { prefix: string; why: string }) => k.prefix === TARGET_PREFIXES.v4[0] && /config target cfg-v4/.test(k.why)),
      JSON.stringify(sug.skipped),
    );
    const confirmed = await waitFor('the suggestions show the targets confirmed', async () => {
      const b = (await s!.get('/api/targets/suggestions')).body;
      const mine = b.suggestions.filter((x: { state: string | null }) => x.state !== null);
      return mine.length === 3 && mine.every((x: { state: string }) => x.state === 'confirmed') ? b : undefined;
    });
    assert.ok(confirmed.suggestions.every((x: { reason: string; score: number }) => x.reason.length > 0 && x.score >= 1), 'every suggestion has a reason and a score');

    // Pin one v6 prefix, then withdraw it and the v4 one.
    const pin = await fetch(`${s!.url}/api/targets/suggestions/accept`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'auto-2001:db8:200::/48' }),
    });
    assert.equal(pin.status, 200, await pin.clone().text());
    assert.equal(((await pin.json()) as { pinned: boolean }).pinned, true);
    const noToken = await fetch(`${s!.url}/api/targets/suggestions/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prefix":"203.0.113.0/24"}' });
    assert.equal(noToken.status, 401);

    const t0 = Date.now();
    await lab!.withdraw(TARGET_PREFIXES.v4[1]);
    await lab!.withdraw(TARGET_PREFIXES.v6[1]);
    cleanups.push(async () => {
      await lab?.announce(TARGET_PREFIXES.v4[1]);
      await lab?.announce(TARGET_PREFIXES.v6[1]);
    });
    await waitFor('the withdrawn v4 prefix expires', async () => !(await targets('?source=auto')).some((x) => x.id === 'auto-203.0.113.0/24'), 30_000).catch(async (e: Error) => {
      const lookup = (await s!.get('/api/lookup?ip=203.0.113.1')).body;
      const h = s!.service.health()['auto-targets'];
      throw new Error(`${e.message}; lookup 203.0.113.1: ${JSON.stringify(lookup).slice(0, 400)}; auto-targets: ${JSON.stringify(h)}`);
    });
    const took = Date.now() - t0;
    assert.ok(took >= EXPIRE_MS, `expired after ${took} ms, not before expire_after (${EXPIRE_MS} ms)`);
    const left = await targets('?source=auto');
    assert.deepEqual(left.map((x) => x.id).sort(), ['auto-2001:db8:100::/48', 'auto-2001:db8:200::/48'], 'the pinned withdrawn prefix and the announced one stay');
    assert.equal(left.find((x) => x.id === 'auto-2001:db8:200::/48')?.pinned, true);
    assert.ok((await targets()).some((x) => x.id === 'cfg-v4' && x.source === 'config'), 'the config target is still there');
    assert.equal(s!.service.health()['auto-targets']?.state, 'ok', JSON.stringify(s!.service.health()['auto-targets']));
  });
});
