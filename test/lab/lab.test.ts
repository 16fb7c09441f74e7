// The lab itself, end to end: build, converge, move the best path, withdraw/announce,
// impair a link without any BGP change, tear down without leftovers.
// Needs root, FRR, iproute2, python3 and /dev/net/tun; skips with the reason otherwise
// (fails instead under SMOKETRACE_REQUIRE_LAB=1).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { needRoot, needTool, requirement } from '../helpers/requirements.ts';
import { AS_PATHS, BMP_ADDR, BMP_SOURCES, Lab, PROBE_PREFIXES, TARGET_PREFIXES, TARGETS, type Router, freePort } from './lab.ts';

interface BgpPath {
  aspath: { string: string };
  bestpath?: { overall: boolean };
  multipath?: boolean;
  nexthops: { ip: string; used?: boolean }[];
  peer: { peerId: string };
}
interface BgpPrefix {
  prefix?: string;
  paths?: BgpPath[];
}
interface BgpTable {
  tableVersion: number;
  routes: Record<string, unknown[]>;
}

async function best(lab: Lab, router: Router, prefix: string): Promise<BgpPath | undefined> {
  const af = prefix.includes(':') ? 'ipv6' : 'ipv4';
  const r = await lab.vtyshJson<BgpPrefix>(router, `show bgp ${af} unicast ${prefix} json`);
  return r.paths?.find((p) => p.bestpath?.overall);
}

/** Smallest RTT of `count` pings: the path's delay without the scheduling noise of a
 * busy 2-core machine (medians there jump by 10-20 ms under load). */
async function rtt(lab: Lab, dst: string, count = 10): Promise<number> {
  const p = await lab.ping('probe', dst, { count, intervalS: 0.03 });
  assert.ok(p.received >= count - 1, `ping ${dst}: ${p.received}/${p.sent} answered ${JSON.stringify(p.errors)}`);
  return Math.min(...p.rtt_ms);
}

/** Just enough of a BMP collector to count messages: per source address, "type" or
 * "type/peer-type" for messages with a per-peer header (RFC 7854 4.1-4.2, RFC 9069). */
class BmpCounter {
  readonly counts = new Map<string, Map<string, number>>();
  private server: Server | undefined;

  async listen(port: number): Promise<void> {
    const server = createServer((sock) => {
      const from = sock.remoteAddress?.replace(/^::ffff:/, '') ?? '?';
      let buf = Buffer.alloc(0);
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 6) {
          const len = buf.readUInt32BE(1);
          if (len < 6 || buf.length < len) break;
          const type = buf[5];
          const key = type <= 3 && len > 6 ? `${type}/${buf[6]}` : `${type}`;
          const m = this.counts.get(from) ?? new Map<string, number>();
          m.set(key, (m.get(key) ?? 0) + 1);
          this.counts.set(from, m);
          buf = buf.subarray(len);
        }
      });
      sock.on('error', () => {});
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(port, BMP_ADDR, r));
  }
  count(from: string, key: string): number {
    return this.counts.get(from)?.get(key) ?? 0;
  }
  close(): void {
    this.server?.close();
  }
}

async function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids whose command line names the lab's run directory (its daemons and links). */
function processesOf(runDir: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(`${runDir}/`)) found.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('lab: up, converge, flap, withdraw/announce, impair, down', { timeout: 120_000 }, async (t) => {
  if (!needRoot(t)) return;
  for (const tool of ['ip', 'vtysh', 'zebra', 'bgpd', 'flock']) if (!needTool(t, tool)) return;
  if (!requirement(t, existsSync('/usr/bin/python3'), '/usr/bin/python3 is not installed')) return;
  if (!requirement(t, existsSync('/dev/net/tun'), '/dev/net/tun is missing (delay links need TUN)')) return;

  const bmpPort = await freePort();
  const lab = await Lab.up({ bmpPort });
  t.diagnostic(`up in ${lab.upMs} ms (waited ${lab.lockWaitMs} ms for the lab lock)`);
  const bmp = new BmpCounter();
  let downDone = false;
  try {
    await bmp.listen(bmpPort);
    await t.test('converged: r1 has every target via r2, the probe reaches them', async () => {
      const v4 = await lab.vtyshJson<BgpTable>('r1', 'show bgp ipv4 unicast json');
      const v6 = await lab.vtyshJson<BgpTable>('r1', 'show bgp ipv6 unicast json');
      for (const p of TARGET_PREFIXES.v4) assert.ok(v4.routes[p], `r1 ipv4 table lacks ${p}`);
      for (const p of TARGET_PREFIXES.v6) assert.ok(v6.routes[p], `r1 ipv6 table lacks ${p}`);
      for (const p of [...TARGET_PREFIXES.v4, ...TARGET_PREFIXES.v6]) {
        const b = await best(lab, 'r1', p);
        assert.equal(b?.aspath.string, AS_PATHS.fast, `r1 best path for ${p}`);
        assert.match(b.peer.peerId, /^(10\.77\.12\.2|fd77:12::2)$/, `r1 best path for ${p} from r2`);
      }
      const back = await best(lab, 'r4', PROBE_PREFIXES.v4);
      assert.equal(back?.peer.peerId, '10.77.24.1', 'r4 returns to the probe via r2');

      const all = [...TARGETS.v4, ...TARGETS.v6];
      const pings = await Promise.all(all.map((d) => lab.ping('probe', d, { count: 3 })));
      for (const p of pings) assert.equal(p.received, 3, `ping ${p.dst}: ${JSON.stringify(p)}`);
    });

    // Its own subtest so a missing mtr is a visible skip (a failure under
    // SMOKETRACE_REQUIRE_LAB=1), never a check quietly left out.
    await t.test('converged: mtr from the probe reaches every target in 4 hops', async (st) => {
      if (!needTool(st, 'mtr')) return;
      const all = [...TARGETS.v4, ...TARGETS.v6];
      const reports = await Promise.all(all.map((d) => lab.mtr(d, { count: 3 })));
      reports.forEach((r, i) => {
        const hubs = r.report.hubs;
        const last = hubs[hubs.length - 1];
        assert.equal(last.host, all[i], `mtr ${all[i]} ends at the target: ${JSON.stringify(hubs)}`);
        assert.equal(hubs.length, 4, `mtr ${all[i]}: probe -> r1 -> r2 -> r4 -> tgt is 4 hops`);
      });
    });

    let fast = 0;
    await t.test('flap prepend moves both directions to the slow path: RTT goes up', async () => {
      fast = await rtt(lab, TARGETS.v4[0]);
      const fast6 = await rtt(lab, TARGETS.v6[0]);
      t.diagnostic(`fast path RTT v4 ${fast.toFixed(2)} ms, v6 ${fast6.toFixed(2)} ms (expected ~${lab.expectedRtt.fast.toFixed(1)})`);
      assert.ok(fast < 15, `fast path RTT ${fast} ms`);

      const f = await lab.flap('prepend');
      t.diagnostic(`flap prepend converged in ${f.ms} ms`);
      assert.equal((await best(lab, 'r1', TARGET_PREFIXES.v4[0]))?.aspath.string, AS_PATHS.slow);
      assert.equal((await best(lab, 'r1', TARGET_PREFIXES.v6[0]))?.aspath.string, AS_PATHS.slow);
      const slow = await rtt(lab, TARGETS.v4[0]);
      const slow6 = await rtt(lab, TARGETS.v6[0]);
      t.diagnostic(`slow path RTT v4 ${slow.toFixed(2)} ms, v6 ${slow6.toFixed(2)} ms (expected ~${lab.expectedRtt.slow.toFixed(1)})`);
      assert.ok(slow > fast + 25, `slow ${slow} ms vs fast ${fast} ms`);
      assert.ok(slow6 > fast6 + 25, `slow v6 ${slow6} ms vs fast ${fast6} ms`);
      assert.ok(Math.abs(slow - lab.expectedRtt.slow) < 8, `slow RTT ${slow} near ${lab.expectedRtt.slow}`);

      const r = await lab.restore();
      t.diagnostic(`restore converged in ${r.ms} ms`);
      assert.equal((await best(lab, 'r1', TARGET_PREFIXES.v4[0]))?.aspath.string, AS_PATHS.fast);
      assert.ok((await rtt(lab, TARGETS.v4[0])) < fast + 5, 'RTT back to the fast path');
    });

    await t.test('withdraw removes a prefix at r1, announce brings it back', async () => {
      for (const pfx of [TARGET_PREFIXES.v4[1], TARGET_PREFIXES.v6[1]]) {
        const w = await lab.withdraw(pfx);
        t.diagnostic(`withdraw ${pfx}: gone at r1 after ${w.ms} ms`);
        const af = pfx.includes(':') ? 'ipv6' : 'ipv4';
        const table = await lab.vtyshJson<BgpTable>('r1', `show bgp ${af} unicast json`);
        assert.equal(table.routes[pfx], undefined, `${pfx} still in r1's table`);
        const a = await lab.announce(pfx);
        t.diagnostic(`announce ${pfx}: back at r1 after ${a.ms} ms`);
        assert.equal((await best(lab, 'r1', pfx))?.aspath.string, AS_PATHS.fast);
      }
      // while withdrawn, the probe gets "unreachable" from r1 (no route)
      await lab.withdraw(TARGET_PREFIXES.v4[1]);
      const p = await lab.ping('probe', TARGETS.v4[1], { count: 1, timeoutS: 1 });
      assert.equal(p.received, 0);
      assert.match(p.errors.join(' '), /unreachable .*from 192\.0\.2\.1/);
      await lab.announce(TARGET_PREFIXES.v4[1]);
      assert.equal((await lab.ping('probe', TARGETS.v4[1], { count: 2 })).received, 2);
    });

    await t.test('impair changes the RTT, not BGP', async () => {
      const before = await lab.vtyshJson<BgpTable>('r1', 'show bgp ipv4 unicast json');
      const base = await rtt(lab, TARGETS.v4[0]);
      const i = await lab.impair('r2-r4', { delayMs: 21.25 });
      const slower = await rtt(lab, TARGETS.v4[0]);
      t.diagnostic(`impair r2-r4 +20 ms (took ${i.ms} ms): RTT ${base.toFixed(2)} -> ${slower.toFixed(2)} ms`);
      assert.ok(slower > base + 35 && slower < base + 60, `RTT ${base} -> ${slower} ms, expected +40`);
      await lab.impair('r2-r4', { lossPct: 100 });
      assert.equal((await lab.ping('probe', TARGETS.v4[0], { count: 3, timeoutS: 0.5 })).received, 0, '100 % loss drops all');
      await lab.resetImpair();
      assert.ok((await rtt(lab, TARGETS.v4[0])) < base + 5, 'RTT back after reset');
      const after = await lab.vtyshJson<BgpTable>('r1', 'show bgp ipv4 unicast json');
      assert.equal(after.tableVersion, before.tableVersion, 'r1 BGP table version unchanged');
      assert.equal((await best(lab, 'r1', TARGET_PREFIXES.v4[0]))?.aspath.string, AS_PATHS.fast);
    });

    await t.test('r1 exports BMP; gobgpd exports its Loc-RIB (peer type 3)', async (st) => {
      const t0 = Date.now();
      // Initiation (4) and Route Monitoring from global peers (0/0)
      await waitFor('BMP from r1', () => bmp.count(BMP_SOURCES.r1, '4') >= 1 && bmp.count(BMP_SOURCES.r1, '0/0') >= 8, 10_000);
      st.diagnostic(`r1 BMP session + initial routes within ${Date.now() - t0} ms`);
      if (!needTool(st, 'gobgpd') || !needTool(st, 'gobgp')) return;
      const g = await lab.gobgpUp();
      st.diagnostic(`gobgp up in ${g.ms} ms`);
      const rib = JSON.parse(await lab.gobgp(['global', 'rib', '-a', 'ipv4', '-j'])) as Record<string, unknown[]>;
      assert.ok(rib[TARGET_PREFIXES.v4[0]], `gobgpd lacks ${TARGET_PREFIXES.v4[0]}: ${Object.keys(rib)}`);
      // 6 prefixes (3 v4 + 3 v6) as Loc-RIB route monitoring
      await waitFor('Loc-RIB BMP from gobgpd', () => bmp.count(BMP_SOURCES.gobgp, '0/3') >= 6, 10_000);
      await lab.gobgpDown();
      assert.deepEqual(
        lab.namespaces().filter((n) => n.endsWith('gobgp')),
        [],
      );
    });

    await t.test('down leaves no namespace and no process of the lab', async () => {
      const d = await lab.down();
      downDone = true;
      t.diagnostic(`down in ${d?.ms} ms`);
      assert.deepEqual(lab.namespaces(), []);
      assert.deepEqual(processesOf(lab.runDir), []);
      const link = spawnSync('ip', ['link', 'show', `${lab.prefix}mgmt`], { encoding: 'utf8' });
      assert.notEqual(link.status, 0, 'management veth still there');
    });
  } finally {
    bmp.close();
    if (!downDone) await lab.down();
  }
});
