// `smoketrace mrt import` end to end, as an operator runs it: the real command on the
// project's FRR fixtures (a RIB dump, then the updates) into a fresh database; the summary
// says what was read, and the store holds monitored prefixes' changes and the updates'
// churn, nothing else.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';
import { repoRoot } from '../helpers/requirements.ts';
import { runCli, tempDir } from './cli-process.ts';

const RIB = join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt');
const UPDATES = join(repoRoot, 'fixtures', 'mrt', 'frr-updates.mrt');

test('mrt import: a RIB dump then updates into the store, with a summary', async (t) => {
  const dir = tempDir(t, 'mrt-import');
  const db = join(dir, 'db.sqlite');
  const r = runCli(['mrt', 'import', RIB, UPDATES, '--set', `storage.path=${db}`, '--set', 'rib.monitor=["203.0.113.0/26"]', '--set', 'log.level=warn']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `mrt import: 2 file(s) into ${db} (router "mrt")`);
  // frr-rib.mrt: PEER_INDEX_TABLE + 7 RIB records (12 entries); frr-updates.mrt: 16 UPDATEs.
  assert.match(lines[1], /^ {2}records: 24, route events: \d+ \(\d+ announcements, \d+ withdrawals\), problems: 0$/);
  const [, ann, wd] = /\((\d+) announcements, (\d+) withdrawals\)/.exec(lines[1])!.map(Number);
  assert.ok(ann >= 12 && wd > 0, `expected >= 12 announcements and some withdrawals, got ${ann} and ${wd}`);
  assert.match(lines[2], /^ {2}RIB at the end: \d+ prefixes \(\d+ IPv4, \d+ IPv6\), \d+ routes, 2 peers$/);
  assert.match(lines[3], /^ {2}stored: \d+ route changes of monitored prefixes \(1 monitor entries\), \d+ changes counted as churn$/);
  assert.match(lines[4], /^ {2}time: \d+\.\d\d s$/);

  const store = new Store({ path: db, version: 'test', logger: createLogger({ level: 'silent' }) });
  await store.start();
  t.after(() => store.stop());
  const changes = await store.routeChanges.list({ since: 0, limit: 10_000 });
  const stored = Number(/stored: (\d+)/.exec(lines[3])![1]);
  assert.equal(changes.length, stored);
  // Monitored: 203.0.113.0/26 itself and its covering 203.0.113.0/24; never 203.0.113.64/26 or others.
  assert.deepEqual([...new Set(changes.map((c) => c.prefix))].sort(), ['203.0.113.0/24', '203.0.113.0/26']);
  assert.ok(changes.every((c) => c.source === 'mrt' && c.router === 'mrt'), 'every imported change should have source and router "mrt"');
  assert.ok(changes.some((c) => c.table === 'adj-rib-in-post' && c.kind === 'new'), 'the dump');
  assert.ok(changes.some((c) => c.table === 'adj-rib-in-pre'), 'the updates');
  const withAttrs = changes.find((c) => c.after !== null)!;
  assert.deepEqual(Object.keys(withAttrs.after!).slice(0, 7), ['asPath', 'nextHop', 'origin', 'med', 'localPref', 'communities', 'largeCommunities']);

  // Churn: from the updates only (a RIB dump is a snapshot); every row is an hour bucket.
  const churn = await store.churn.list();
  const counted = Number(/, (\d+) changes counted as churn/.exec(lines[3])![1]);
  assert.ok(counted > 0, 'the import counted no routes');
  assert.equal(churn.reduce((n, c) => n + c.announcements + c.withdrawals, 0), counted);
  assert.ok(churn.every((c) => c.bucket % 3_600_000 === 0), 'churn buckets should be aligned to the hour');
  assert.ok(churn.some((c) => c.withdrawals > 0), 'no churn bucket has withdrawals');
  assert.deepEqual(await store.churn.busiest({ limit: 1 }).then((b) => b.length), 1);
});

test('mrt import: a missing file is reported with status 1; a bad config is status 2 before anything is opened', (t) => {
  const dir = tempDir(t, 'mrt-import');
  const missing = runCli(['mrt', 'import', join(dir, 'nope.mrt'), '--set', `storage.path=${join(dir, 'db.sqlite')}`]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /smoketrace mrt import: .*nope\.mrt: ENOENT/);
  assert.match(missing.stdout, /records: 0/);
  const bad = runCli(['mrt', 'import', RIB, '--set', 'rib.monitor=["198.51.100.1/24"]', '--set', `storage.path=${join(dir, 'other.sqlite')}`]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^rib\.monitor\[0\] \(from --set\): expected a CIDR prefix with no host bits set \(did you mean "198\.51\.100\.0\/24"\?\)/);
  assert.equal(existsSync(join(dir, 'other.sqlite')), false, 'no database was created');
});
