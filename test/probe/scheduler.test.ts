// The scheduler on a manual clock with fake backends: no sleeps, hours of schedule in ms.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Trace } from '../../src/model/trace.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import { ManualClock } from '../../src/probe/clock.ts';
import { ProbeError } from '../../src/probe/runner.ts';
import { Scheduler, SchedulerError, type SchedulerOptions, type TraceMeta } from '../../src/probe/scheduler.ts';
import type { BackendName, TraceBackend, TraceRequest } from '../../src/probe/backends/types.ts';
import { MtrBackend } from '../../src/probe/backends/mtr.ts';

const ALLOWED = ['198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '10.77.0.0/16'].map((p) => parsePrefix(p)!);

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class FakeBackend implements TraceBackend {
  calls: { target: string; at: number }[] = [];
  active = 0;
  maxActive = 0;
  hold = false;
  error?: ProbeError;
  packets = 10;
  private waiting: (() => void)[] = [];
  constructor(
    readonly name: BackendName,
    private readonly clock: ManualClock,
  ) {}
  estimatePackets(): number {
    return this.packets;
  }
  async trace(req: TraceRequest): Promise<Trace> {
    this.calls.push({ target: req.target, at: this.clock.now() });
    if (this.error) throw this.error;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const start = this.clock.now();
    if (this.hold) {
      // Like the real backends, an aborted trace ends (scheduler.stop() waits for it).
      await new Promise<void>((r, reject) => {
        this.waiting.push(r);
        req.signal?.addEventListener('abort', () => reject(new ProbeError('backend-failed', `trace to ${req.target} was cancelled`)), { once: true });
      }).finally(() => this.active--);
      return { target: req.target, backend: this.name, method: 'icmp', start, end: this.clock.now(), reached: true, hops: [{ ttl: 1, sent: 1, responders: [{ address: req.target, rtts: [1], received: 1 }] }] };
    }
    this.active--;
    return { target: req.target, backend: this.name, method: 'icmp', start, end: this.clock.now(), reached: true, hops: [{ ttl: 1, sent: 1, responders: [{ address: req.target, rtts: [1], received: 1 }] }] };
  }
  release(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

function setup(over: Partial<SchedulerOptions> = {}, backendNames: BackendName[] = ['mtr']) {
  const clock = new ManualClock();
  const backends = Object.fromEntries(backendNames.map((n) => [n, new FakeBackend(n, clock)])) as Record<BackendName, FakeBackend>;
  const traces: { trace: Trace; meta: TraceMeta }[] = [];
  const errors: { id: string; kind: string; message: string }[] = [];
  const s = new Scheduler({
    backends,
    allowed: ALLOWED,
    defaultInterval: 60_000,
    defaultBackend: backendNames[0],
    sink: (trace, meta) => traces.push({ trace, meta }),
    onError: (t, e) => errors.push({ id: t.id, kind: e.kind, message: e.message }),
    clock,
    random: mulberry32(42),
    concurrency: 100_000,
    pps: 1e9,
    ...over,
  });
  return { clock, backends, traces, errors, s };
}

async function addMany(s: Scheduler, n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await s.add({ address: `10.77.${100 + (i >> 8)}.${i & 255}`, ...extra });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    ids.push(r.value.id);
  }
  return ids;
}

describe('scheduler: intervals and jitter', () => {
  it('spreads 2,000 targets over the interval and keeps each near its interval', async () => {
    const { clock, backends, s } = setup();
    await addMany(s, 2000);
    const t0 = clock.now();
    await s.start();
    await clock.advance(60_000);
    // Each target's first run (some already ran twice: the second comes 0.9-1.1 intervals later).
    const firstOf = new Map<string, number>();
    for (const c of backends.mtr.calls) if (!firstOf.has(c.target)) firstOf.set(c.target, c.at);
    assert.equal(firstOf.size, 2000, 'every target ran in the first interval');
    const first = [...firstOf.values()].map((at) => ({ at }));
    // Uniform spread: ~33 starts per second; no second holds more than 3x that.
    const perSecond = new Map<number, number>();
    for (const c of first) perSecond.set(Math.floor((c.at - t0) / 1000), (perSecond.get(Math.floor((c.at - t0) / 1000)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) <= 100, `burst of ${Math.max(...perSecond.values())} in one second`);
    assert.ok(perSecond.size >= 58, 'starts in (almost) every second of the interval');
    await clock.advance(10 * 60_000);
    const byTarget = new Map<string, number[]>();
    for (const c of backends.mtr.calls) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c.at]);
    for (const times of byTarget.values()) {
      assert.ok(times.length >= 10 && times.length <= 12, `${times.length} runs in 11 intervals`);
      for (let i = 1; i < times.length; i++) {
        const gap = times[i] - times[i - 1];
        assert.ok(gap >= 0.9 * 60_000 - 1 && gap <= 1.1 * 60_000 + 1, `gap ${gap} outside interval ±10 %`);
      }
    }
    await s.stop();
  });

  it('honours a per-target interval', async () => {
    const { clock, backends, s } = setup();
    assert.ok((await s.add({ address: '198.51.100.1', interval: '10s' })).ok, 'adding 198.51.100.1 failed');
    assert.ok((await s.add({ address: '198.51.100.2' })).ok, 'adding 198.51.100.2 failed');
    await s.start();
    await clock.advance(600_000);
    const n = (t: string) => backends.mtr.calls.filter((c) => c.target === t).length;
    assert.ok(n('198.51.100.1') >= 55 && n('198.51.100.1') <= 66, `fast target ran ${n('198.51.100.1')} times`);
    assert.ok(n('198.51.100.2') >= 9 && n('198.51.100.2') <= 11, `198.51.100.2 traced ${n('198.51.100.2')} times, expected 9..11`);
    await s.stop();
  });
});

describe('scheduler: limits', () => {
  it('never runs more than the concurrency cap; a busy target skips its turn', async () => {
    const { clock, backends, s } = setup({ concurrency: 5 });
    backends.mtr.hold = true;
    await addMany(s, 50);
    await s.start();
    await clock.advance(60_000);
    assert.equal(backends.mtr.active, 5);
    assert.equal(s.health().counters!.queued, 45);
    await clock.advance(60_000); // all come due again while running or queued: skipped, not doubled
    assert.ok(s.health().counters!.skipped >= 50, `only ${s.health().counters!.skipped} runs skipped, expected >= 50`);
    assert.equal(s.health().counters!.queued, 45);
    for (let i = 0; i < 20; i++) {
      backends.mtr.release();
      await clock.advance(1);
    }
    assert.equal(backends.mtr.maxActive, 5);
    assert.equal(s.health().counters!.traces >= 50, true);
    await s.stop();
  });

  it('per-backend caps leave room for other backends', async () => {
    const { clock, backends, s } = setup({ concurrency: 10, backendConcurrency: { mtr: 2 } }, ['mtr', 'scamper']);
    backends.mtr.hold = true;
    backends.scamper.hold = true;
    await addMany(s, 20);
    await addMany(s, 0);
    for (let i = 0; i < 20; i++) assert.ok((await s.add({ address: `10.77.200.${i}`, backend: 'scamper' })).ok, `adding 10.77.200.${i} failed`);
    await s.start();
    await clock.advance(60_000);
    assert.equal(backends.mtr.active, 2);
    assert.equal(backends.scamper.active, 8);
    await s.stop();
  });

  it('keeps to the packets-per-second budget', async () => {
    // 10 packets per trace, 100 pps, burst 1 s: 10 traces at once, then 10 per second.
    const { clock, backends, s } = setup({ pps: 100, random: () => 0 });
    await addMany(s, 300);
    await s.start();
    await clock.advance(0);
    assert.equal(backends.mtr.calls.length, 10, 'the burst');
    await clock.advance(10_000);
    const n = backends.mtr.calls.length;
    assert.ok(n >= 105 && n <= 111, `${n} traces after 10 s at 10 per second`);
    await clock.advance(20_000);
    assert.equal(backends.mtr.calls.length, 300);
    await s.stop();
  });
});

describe('scheduler: triggers', () => {
  it('a trigger starts within 1 s although the regular queue is full', async () => {
    const { clock, backends, traces, s } = setup({ concurrency: 2, pps: 20, random: () => 0 });
    backends.mtr.hold = true;
    const ids = await addMany(s, 100);
    await s.start();
    await clock.advance(5_000);
    assert.equal(backends.mtr.active, 2);
    assert.ok(s.health().counters!.queued >= 90, `only ${s.health().counters!.queued} queued, expected >= 90`);
    const at = clock.now();
    const p = s.trigger(ids[77], 'route change 198.51.100.0/24');
    await clock.advance(1);
    const started = backends.mtr.calls.find((c) => c.target === '10.77.100.77');
    assert.ok(started, 'the triggered trace did not start');
    assert.ok(started.at - at <= 1000, `the run started ${started.at - at} ms late (limit 1000 ms)`);
    backends.mtr.release();
    const t = await p;
    assert.equal(t.target, '10.77.100.77');
    assert.deepEqual(traces.find((x) => x.meta.reason === 'trigger')?.meta, { targetId: ids[77], name: '10.77.100.77', reason: 'trigger', triggerReason: 'route change 198.51.100.0/24' });
    await s.stop();
  });

  it('coalesces a trigger while one is pending, then enforces the cooldown', async () => {
    const { clock, backends, s } = setup({ triggerCooldownMs: 60_000 });
    backends.mtr.hold = true;
    const [id] = await addMany(s, 1);
    await s.start();
    const p1 = s.trigger(id, 'a');
    const p2 = s.trigger(id, 'b');
    assert.equal(p1, p2);
    await clock.advance(1);
    backends.mtr.release();
    await p1;
    await clock.advance(10_000);
    await assert.rejects(s.trigger(id, 'c'), (e: unknown) => e instanceof SchedulerError && e.kind === 'cooldown' && e.retryAfterMs === 49_999);
    await clock.advance(50_000);
    backends.mtr.hold = false;
    const t = await s.trigger(id, 'd');
    assert.equal(t.target, '10.77.100.0');
    await assert.rejects(s.trigger('nope', 'x'), (e: unknown) => e instanceof SchedulerError && e.kind === 'unknown-target');
    await s.stop();
  });
});

describe('scheduler: allowed ranges and names', () => {
  it('refuses targets outside probe.allowed at add time, and before each run', async () => {
    const { clock, backends, errors, s } = setup();
    const out = await s.add({ address: '192.0.2.99' });
    assert.ok(!out.ok && out.status === 400 && /outside probe.allowed/.test(out.reason), 'a target outside probe.allowed should be refused with 400');
    const r = await s.add({ address: '203.0.113.1', name: 'tgt' });
    assert.ok(r.ok, r.ok ? '' : `refused: ${r.reason}`);
    await s.start();
    await clock.advance(60_000);
    assert.equal(backends.mtr.calls.length, 1);
    s.setAllowed([parsePrefix('198.51.100.0/24')!]); // reload: 203.0.113.0/24 no longer allowed
    await clock.advance(120_000);
    assert.equal(backends.mtr.calls.length, 1, 'probed after its range was removed');
    assert.equal(s.get('tgt')?.state, 'refused');
    assert.equal(errors.at(-1)?.kind, 'not-allowed');
    await assert.rejects(s.trigger('tgt', 'x'), (e: unknown) => e instanceof SchedulerError && e.kind === 'not-allowed');
    await s.stop();
  });

  it('resolves a host name once, at add time, and only into allowed ranges', async () => {
    const lookups: string[] = [];
    const { clock, backends, s } = setup({
      resolve: async (h) => {
        lookups.push(h);
        return h === 'in.example' ? ['2001:db8:100::1', '198.51.100.7'] : h === 'out.example' ? ['8.8.8.8'] : [];
      },
    });
    const ok = await s.add({ address: 'in.example' });
    assert.ok(ok.ok, ok.ok ? '' : `refused: ${ok.reason}`);
    assert.equal(ok.value.address, '2001:db8:100::1');
    assert.equal(ok.value.host, 'in.example');
    const out = await s.add({ address: 'out.example' });
    assert.ok(!out.ok && /resolves to 8\.8\.8\.8.*outside probe.allowed/.test(out.reason), 'a name resolving to 8.8.8.8 should be refused as outside probe.allowed');
    const none = await s.add({ address: 'none.example' });
    assert.ok(!none.ok && /no IP address/.test(none.reason), 'a name with no address should be refused with "no IP address"');
    await s.start();
    await clock.advance(600_000);
    assert.ok(backends.mtr.calls.length >= 9, `mtr ran ${backends.mtr.calls.length} times, expected >= 9`);
    assert.ok(backends.mtr.calls.every((c) => c.target === '2001:db8:100::1'), 'mtr should trace the resolved 2001:db8:100::1');
    assert.deepEqual(lookups, ['in.example', 'out.example', 'none.example'], 'no DNS on the probe path');
    await s.stop();
  });

  it('refuses duplicate names and lists/removes targets', async () => {
    const { s } = setup();
    assert.ok((await s.add({ address: '198.51.100.1', name: 'a' })).ok, 'adding 198.51.100.1 failed');
    const dup = await s.add({ address: '198.51.100.2', name: 'a' });
    assert.ok(!dup.ok && dup.field === 'name', 'a duplicate name should be refused on field name');
    assert.deepEqual(s.list().map((t) => t.id), ['a']);
    assert.equal(s.remove('a'), true);
    assert.equal(s.remove('a'), false);
    assert.deepEqual(s.list(), []);
  });
});

describe('scheduler: unavailable backends', () => {
  it('a missing backend marks its targets, the others keep running, and it is re-checked later', async () => {
    const { clock, backends, traces, s } = setup({ backendRecheckMs: 300_000 }, ['mtr', 'scamper']);
    backends.mtr.error = new ProbeError('backend-missing', 'mtr is not installed or not on PATH');
    await addMany(s, 5); // mtr
    for (let i = 0; i < 5; i++) assert.ok((await s.add({ address: `198.51.100.${i + 1}`, backend: 'scamper' })).ok, `adding 198.51.100.${i + 1} failed`);
    await s.start();
    await clock.advance(120_000);
    assert.equal(backends.mtr.calls.length, 1, 'only one attempt until the re-check');
    assert.ok(traces.length >= 10 && traces.every((t) => t.trace.backend === 'scamper'), `${traces.length} traces, expected >= 10, all by scamper`);
    const mtrTargets = s.list().filter((t) => t.backend === 'mtr');
    assert.ok(mtrTargets.every((t) => t.state === 'backend-unavailable' && /mtr is not installed/.test(t.lastError?.message ?? '')), 'mtr targets should be backend-unavailable with "mtr is not installed"');
    const h = s.health();
    assert.equal(h.state, 'degraded');
    assert.match(h.detail ?? '', /mtr: mtr is not installed/);
    backends.mtr.error = undefined; // installed meanwhile
    await clock.advance(300_000);
    assert.ok(backends.mtr.calls.length > 1, `mtr ran ${backends.mtr.calls.length} times after it came back, expected > 1`);
    assert.equal(s.health().state, 'ok');
    assert.ok(s.list().every((t) => t.state === 'ok'), 'every target should be back in state ok');
    await s.stop();
  });

  it('a real backend with a missing binary reports backend-missing', async () => {
    const b = new MtrBackend({ binary: 'smoketrace-no-such-mtr' });
    await assert.rejects(b.trace({ target: '198.51.100.1' }), (e: unknown) => e instanceof ProbeError && e.kind === 'backend-missing');
  });

  it('a backend whose start() fails is marked, and the scheduler still starts', async () => {
    const clock = new ManualClock();
    const good = new FakeBackend('mtr', clock);
    const broken: TraceBackend = {
      name: 'scamper',
      estimatePackets: () => 1,
      start: async () => {
        throw new ProbeError('backend-permission', 'scamper: could not open icmp socket');
      },
      trace: async () => {
        throw new ProbeError('backend-permission', 'scamper: could not open icmp socket');
      },
    };
    const s = new Scheduler({ backends: { mtr: good, scamper: broken }, allowed: ALLOWED, defaultInterval: 60_000, defaultBackend: 'mtr', sink: () => {}, clock });
    await s.start();
    assert.equal(s.unavailableBackends()[0]?.backend, 'scamper');
    assert.equal(s.unavailableBackends()[0]?.kind, 'backend-permission');
    await s.stop();
  });
});

/** A backend whose trace, when aborted, takes `settleMs` of real time to end (the tool being killed), or never ends. */
class SlowStopBackend implements TraceBackend {
  readonly name = 'mtr' as const;
  started = 0;
  settled = 0;
  constructor(private readonly settleMs: number | null) {}
  estimatePackets(): number {
    return 10;
  }
  trace(req: TraceRequest): Promise<Trace> {
    this.started++;
    return new Promise<Trace>((_resolve, reject) => {
      req.signal?.addEventListener('abort', () => {
        if (this.settleMs === null) return; // a tool that ignores SIGTERM and SIGKILL alike
        setTimeout(() => {
          this.settled++;
          reject(new ProbeError('backend-failed', `trace to ${req.target} was cancelled`));
        }, this.settleMs);
      });
    });
  }
}

describe('scheduler: stop', () => {
  it('waits for the aborted traces to settle, so their outcome is reported before stop() returns', async () => {
    const backend = new SlowStopBackend(150);
    const { clock, s, errors } = setup({ backends: { mtr: backend } });
    await addMany(s, 3);
    await s.start();
    await clock.advance(60_000);
    assert.equal(backend.started, 3, `${backend.started} traces started`);
    await s.stop();
    assert.equal(backend.settled, 3, 'stop() returned before the aborted traces settled');
    assert.equal(errors.filter((e) => /was cancelled/.test(e.message)).length, 3, `errors: ${JSON.stringify(errors)}`);
    assert.equal(s.health().counters?.running, 0, 'nothing running after stop()');
  });

  it('waits no longer than stopWaitMs for a trace that never ends', async () => {
    const backend = new SlowStopBackend(null);
    const { clock, s } = setup({ backends: { mtr: backend }, stopWaitMs: 100 });
    await addMany(s, 1);
    await s.start();
    await clock.advance(60_000);
    assert.equal(backend.started, 1, `${backend.started} traces started`);
    const t0 = Date.now();
    await s.stop();
    assert.ok(Date.now() - t0 < 2_000, `stop() took ${Date.now() - t0} ms with stopWaitMs 100`);
  });
});
