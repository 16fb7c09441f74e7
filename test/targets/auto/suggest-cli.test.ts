// `smoketrace targets suggest` offline, from the real MRT update files in
// ../shared/fixtures, checked against counts made independently from Debian's
// `bgpdump -m` output (one A or W line per prefix and update), and traffic exports made
// here in nfdump's and pmacct's formats for prefixes that file announces.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli, tempDir } from '../../cli/cli-process.ts';
import { needFixture, needTool } from '../../helpers/requirements.ts';

const RRC06 = 'libbgpstream/ris.rrc06.updates.1427846400.gz';
const ARCH3 = 'gobgpdump/arch3';

interface Row {
  prefix: string;
  address: string | null;
  score: number;
  reason: string;
}

/** bgpdump -m lines as [type, prefix, asPath]. */
function bgpdump(bin: string, file: string): { type: string; prefix: string; path: string }[] {
  const r = spawnSync(bin, ['-m', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('|'))
    .map((f) => ({ type: f[2], prefix: f[5], path: f[6] ?? '' }));
}

/** The same order the issue asks for: most updates first; ties IPv4 first, then by text. */
function expectedChurn(lines: { type: string; prefix: string }[], n: number): { prefix: string; score: number }[] {
  const counts = new Map<string, number>();
  for (const l of lines) if (l.type === 'A' || l.type === 'W') counts.set(l.prefix, (counts.get(l.prefix) ?? 0) + 1);
  const fam = (p: string) => (p.includes(':') ? 6 : 4);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || fam(a[0]) - fam(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([prefix, score]) => ({ prefix, score }));
}

function config(dir: string, extra = ''): string {
  const path = join(dir, 'config.toml');
  writeFileSync(path, `[storage]\npath = "${join(dir, 'db.sqlite')}"\n[auto_targets]\nmax_targets = 100\nmax_per_origin = 1000\n${extra}`);
  return path;
}

function suggest(args: string[]): Row[] {
  const r = runCli(['targets', 'suggest', ...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Row[];
}

for (const fixture of [RRC06, ARCH3, 'bgpdump/updates.20160811.1600.gz']) {
  test(`churn ranking of ${fixture} is bgpdump's per-prefix A+W count, best first, each with its reason`, (t) => {
    const bin = needTool(t, 'bgpdump');
    const file = needFixture(t, fixture);
    if (!bin || !file) return;
    const dir = tempDir(t, 'suggest');
    const want = expectedChurn(bgpdump(bin, file), 12);
    const got = suggest(['-c', config(dir), '--mrt', file, '--from', 'churn', '--limit', '12']);
    assert.deepEqual(
      got.map((r) => ({ prefix: r.prefix, score: r.score })),
      want,
    );
    got.forEach((r, i) => {
      assert.match(r.reason, new RegExp(`^top ${i + 1} by churn: ${r.score} updates in \\d+[mhd]$`), r.reason);
      assert.ok(r.address !== null && r.address.length > 0, `${r.prefix} has an address to probe`);
      assert.deepEqual(Object.keys(r).sort(), ['address', 'prefix', 'reason', 'score']);
    });
  });
}

test('caps: --limit and max_per_origin hold; the human table lists the same prefixes', (t) => {
  const bin = needTool(t, 'bgpdump');
  const file = needFixture(t, RRC06);
  if (!bin || !file) return;
  const dir = tempDir(t, 'suggest');
  const got = suggest(['-c', config(dir), '--mrt', file, '--from', 'churn', '--limit', '4']);
  assert.equal(got.length, 4, '--limit 4 gives 4');
  // max_per_origin = 1: no two suggestions share an origin AS (origins from bgpdump's last A per prefix).
  const lines = bgpdump(bin, file);
  const origin = new Map<string, string>();
  for (const l of lines) if (l.type === 'A') origin.set(l.prefix, l.path.trim().split(' ').at(-1)!);
  const capped = suggest(['-c', config(dir), '--set', 'auto_targets.max_per_origin=1', '--mrt', file, '--from', 'churn', '--limit', '30']);
  const origins = capped.map((r) => origin.get(r.prefix)).filter((o): o is string => o !== undefined && !o.startsWith('{'));
  assert.equal(new Set(origins).size, origins.length, `one prefix per origin AS: ${origins.join(' ')}`);
  const uncapped = suggest(['-c', config(dir), '--mrt', file, '--from', 'churn', '--limit', '30']);
  const byOrigin = new Map<string, number>();
  for (const r of uncapped) byOrigin.set(origin.get(r.prefix) ?? '?', (byOrigin.get(origin.get(r.prefix) ?? '?') ?? 0) + 1);
  assert.ok([...byOrigin.values()].some((n) => n > 1), 'without the cap some origin has several (so the cap did something)');
  const text = runCli(['targets', 'suggest', '-c', config(dir), '--mrt', file, '--from', 'churn', '--limit', '4']);
  assert.equal(text.status, 0, text.stderr);
  const shown = text.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]);
  assert.deepEqual(shown, got.map((r) => r.prefix));
});

/** Prefixes the file still announces at its end (their last bgpdump line is an A). */
function announcedAtEnd(lines: { type: string; prefix: string }[]): string[] {
  const last = new Map<string, string>();
  for (const l of lines) if (l.type === 'A' || l.type === 'W') last.set(l.prefix, l.type);
  return [...last.entries()].filter(([p, ty]) => ty === 'A' && !p.includes(':') && /\/(1\d|2[0-4])$/.test(p)).map(([p]) => p);
}

/** An address inside an IPv4 prefix: network + k. */
function inside(prefix: string, k: number): string {
  const [a] = prefix.split('/');
  const n = a.split('.').reduce((x, o) => x * 256 + Number(o), 0) + k;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

test('traffic: nfdump csv and pmacct csv/json exports rank covering prefixes by bytes', (t) => {
  const bin = needTool(t, 'bgpdump');
  const file = needFixture(t, RRC06);
  if (!bin || !file) return;
  const dir = tempDir(t, 'traffic');
  const pfx = announcedAtEnd(bgpdump(bin, file)).slice(0, 4);
  assert.equal(pfx.length, 4, 'the file announces IPv4 prefixes');
  // Per prefix: flows to two addresses in it; totals differ so the order is known.
  const flows = [
    { da: inside(pfx[0], 5), bytes: 1_200_000_000, pkts: 900_000 },
    { da: inside(pfx[0], 9), bytes: 300_000_000, pkts: 200_000 },
    { da: inside(pfx[1], 1), bytes: 2_000_000_000, pkts: 1_500_000 },
    { da: inside(pfx[2], 7), bytes: 40_000, pkts: 30 },
    { da: inside(pfx[3], 3), bytes: 700_000_000, pkts: 600_000 },
    { da: '192.0.2.77', bytes: 9_000_000_000, pkts: 1 }, // no route: left out
  ];
  const want = [
    { prefix: pfx[1], score: 2_000_000_000 },
    { prefix: pfx[0], score: 1_500_000_000 },
    { prefix: pfx[3], score: 700_000_000 },
    { prefix: pfx[2], score: 40_000 },
  ];
  const nfHeader = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr';
  const nfRow = (f: (typeof flows)[number]) =>
    [`2015-04-01 00:00:01`, `2015-04-01 00:04:59`, '298.000', '10.1.1.1', f.da, '51000', '443', 'TCP', '.AP...', '0', '0', f.pkts, f.bytes, '0', '0', '1', '2', '0', '0', '24', '24', '0', '0', '0.0.0.0', '0.0.0.0', '0', '0', '00:00:00:00:00:00', '00:00:00:00:00:00', '00:00:00:00:00:00', '00:00:00:00:00:00', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0-0-0', '0.000', '0.000', '0.000', '127.0.0.1', '0/0', '1', '1970-01-01 00:00:00.000'].join(',');
  const nfdump = [nfHeader, ...flows.map(nfRow), 'Summary', 'flows,bytes,packets,avg_bps,avg_pps,avg_bpp', '6,13240040000,3200031,0,0,0', ''].join('\n');
  const pmCsv = ['SRC_IP,DST_IP,SRC_PORT,DST_PORT,PROTOCOL,PACKETS,FLOWS,BYTES', ...flows.map((f) => `10.1.1.1,${f.da},51000,443,tcp,${f.pkts},1,${f.bytes}`), ''].join('\n');
  const pmJson = flows.map((f) => JSON.stringify({ ip_src: '10.1.1.1', ip_dst: f.da, port_src: 51000, port_dst: 443, ip_proto: 'tcp', packets: f.pkts, bytes: f.bytes })).join('\n');
  for (const [name, body] of [['flows.nfdump.csv', nfdump], ['flows.pmacct.csv', pmCsv], ['flows.pmacct.json', pmJson]] as const) {
    const p = join(dir, name);
    writeFileSync(p, body);
    const got = suggest(['-c', config(dir), '--mrt', file, '--from', 'traffic', '--traffic', p]);
    assert.deepEqual(
      got.map((r) => ({ prefix: r.prefix, score: r.score })),
      want,
      name,
    );
    assert.deepEqual(
      got.map((r) => r.reason),
      ['traffic top talker: 2.0 GB', 'traffic top talker: 1.5 GB', 'traffic top talker: 700.0 MB', 'traffic top talker: 40.0 kB'],
      name,
    );
  }
  // The same export from a command (argument array, no shell), and a command that fails.
  const viaCommand = suggest(['-c', config(dir, `[auto_targets.traffic]\ncommand = ["cat", "${join(dir, 'flows.nfdump.csv')}"]\n`), '--mrt', file, '--from', 'traffic']);
  assert.deepEqual(
    viaCommand.map((r) => ({ prefix: r.prefix, score: r.score })),
    want,
  );
  const failing = runCli(['targets', 'suggest', '-c', config(dir, '[auto_targets.traffic]\ncommand = ["false"]\n'), '--mrt', file, '--from', 'traffic']);
  assert.equal(failing.status, 2);
  assert.match(failing.stderr, /smoketrace targets suggest: false failed, exit status 1/);
  // Packets instead of bytes.
  const byPkts = suggest(['-c', config(dir, '[auto_targets.traffic]\nmetric = "packets"\n'), '--mrt', file, '--from', 'traffic', '--traffic', join(dir, 'flows.pmacct.csv')]);
  assert.deepEqual(
    byPkts.map((r) => r.score),
    [1_500_000, 1_100_000, 600_000, 30],
  );
  assert.equal(byPkts[0].reason, 'traffic top talker: 1.5 M packets');
});

test('a bad export or a missing file: exit 2 and a message naming the file and line', (t) => {
  const file = needFixture(t, RRC06);
  if (!file) return;
  const dir = tempDir(t, 'bad');
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'address,bytes\n198.51.100.1,100\n198.51.100.2,lots\n');
  const r = runCli(['targets', 'suggest', '-c', config(dir), '--mrt', file, '--from', 'traffic', '--traffic', bad]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:3: bytes is not a number: "lots"`));
  const noAddr = join(dir, 'noaddr.csv');
  writeFileSync(noAddr, 'when,bytes\nnow,100\n');
  const r2 = runCli(['targets', 'suggest', '-c', config(dir), '--mrt', file, '--from', 'traffic', '--traffic', noAddr]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /noaddr\.csv:1: no address column/);
  const r3 = runCli(['targets', 'suggest', '-c', config(dir), '--mrt', join(dir, 'missing.gz')]);
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /missing\.gz/);
  const r5 = runCli(['targets', 'suggest', '-c', config(dir)]);
  assert.equal(r5.status, 2);
  assert.match(r5.stderr, /no database at .*db\.sqlite \(storage\.path\): give --mrt FILE/);
  const r4 = runCli(['targets', 'suggest', '-c', config(dir), '--from', 'nonsense']);
  assert.equal(r4.status, 2);
  assert.match(r4.stderr, /--from must be one of churn, asn, traffic, static/);
});

test("from the service's store: the churn counts `mrt import` stored, ranked over the archive's last window", (t) => {
  const file = needFixture(t, ARCH3);
  if (!file) return;
  const dir = tempDir(t, 'store');
  const cfg = config(dir, '[auto_targets.churn]\nwindow = "24h"\n');
  const imp = runCli(['mrt', 'import', '-c', cfg, file]);
  assert.equal(imp.status, 0, imp.stderr);
  // Expected straight from the table, with SQL of our own.
  const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
  const newest = (db.prepare('SELECT max(bucket) AS b FROM prefix_churn').get() as { b: number }).b;
  const since = newest + 3_600_000 - 86_400_000;
  const rows = db
    .prepare('SELECT prefix, sum(announcements + withdrawals) AS n FROM prefix_churn WHERE bucket >= ? GROUP BY prefix ORDER BY n DESC, prefix')
    .all(since) as { prefix: string; n: number }[];
  db.close();
  const fam = (p: string) => (p.includes(':') ? 6 : 4);
  const want = rows
    .filter((r) => r.n > 0)
    .sort((a, b) => b.n - a.n || fam(a.prefix) - fam(b.prefix) || (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))
    .slice(0, 10)
    .map((r) => ({ prefix: r.prefix, score: r.n }));
  assert.equal(want.length, 10, `the import stored churn (${rows.length} prefixes)`);
  const r = runCli(['targets', 'suggest', '-c', cfg, '--from', 'churn', '--limit', '10', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /churn in the store ends 2013-01-01T0[12]:00:00\.000Z: ranking the 24h before that/);
  const got = JSON.parse(r.stdout) as Row[];
  assert.deepEqual(
    got.map((x) => ({ prefix: x.prefix, score: x.score })),
    want,
  );
  assert.ok(got.every((x, i) => x.reason === `top ${i + 1} by churn: ${x.score} updates in 24h`), JSON.stringify(got.map((x) => x.reason)));
  // asn and traffic need routes, which the store does not keep.
  const asn = runCli(['targets', 'suggest', '-c', cfg, '--from', 'asn', '--asn', '7018']);
  assert.equal(asn.status, 2);
  assert.match(asn.stderr, /--from asn needs routes: give --mrt FILE/);
});

test('asn: prefixes a RouteViews RIB dump shows originated by, or reached through, an AS; counted from bgpdump -m', (t) => {
  const bin = needTool(t, 'bgpdump');
  const file = needFixture(t, 'pyasn/rib.20140523.0600_firstMB.bz2');
  if (!bin || !file) return;
  const dir = tempDir(t, 'asn');
  const lines = bgpdump(bin, file).filter((l) => l.type === 'B');
  const originsOf = (path: string) => {
    const last = path.trim().split(' ').at(-1)!;
    return last.startsWith('{') ? last.slice(1, -1).split(',') : [last];
  };
  const expected = (asn: string, match: 'origin' | 'upstream', n: number) => {
    const counts = new Map<string, number>();
    for (const l of lines) {
      const o = originsOf(l.path);
      const hit = match === 'origin' ? o.includes(asn) : !o.includes(asn) && l.path.split(/[ {},]+/).includes(asn);
      if (hit) counts.set(l.prefix, (counts.get(l.prefix) ?? 0) + 1);
    }
    const len = (p: string) => Number(p.split('/')[1]);
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || len(a[0]) - len(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([prefix, score]) => ({ prefix, score }));
  };
  const origin = suggest(['-c', config(dir), '--mrt', file, '--from', 'asn', '--asn', '3356', '--limit', '15']);
  assert.deepEqual(
    origin.map((r) => ({ prefix: r.prefix, score: r.score })),
    expected('3356', 'origin', 15),
  );
  assert.ok(origin.every((r) => r.reason === 'originated by AS3356'), JSON.stringify(origin[0]));
  const up = suggest(['-c', config(dir, '[[auto_targets.asn]]\nasn = 174\nrole = "transit"\nmatch = "upstream"\ntop = 15\n'), '--mrt', file, '--from', 'asn']);
  assert.deepEqual(
    up.map((r) => ({ prefix: r.prefix, score: r.score })),
    expected('174', 'upstream', 15),
  );
  assert.ok(up.every((r) => r.reason === 'reached through AS174 (transit)'), JSON.stringify(up[0]));
});
