// `smoketrace targets suggest`: the prefixes auto_targets would pick, ranked, with the
// reason for each. From the service's store (churn counts at storage.path), or offline
// from MRT files (--mrt: updates give churn, RIB dumps and updates give the routes the
// ASN and traffic sources need). Nothing is probed: the address shown is the hitlist's,
// else the prefix's first usable address (the first one probe-and-verify would try).
//
//   --json   [{ "prefix", "address", "score", "reason" }], best first
// Exit status: 0 (also when nothing ranks), 2 for a usage error, a bad config or a file
// that cannot be read or parsed (named with its line).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { version } from '../version.ts';
import { CliExit, type ConfigOptions, addConfigOptions, loadConfigOrExit } from './config.ts';

interface SuggestOptions extends ConfigOptions {
  readonly from?: string;
  readonly limit?: string;
  readonly mrt?: string[];
  readonly traffic?: string;
  readonly trafficFormat?: string;
  readonly asn?: string[];
  readonly json?: boolean;
}

const FROM = ['churn', 'asn', 'traffic', 'static'] as const;
const FORMATS = ['auto', 'csv', 'json', 'nfdump', 'pmacct'] as const;
const usage = (msg: string) => new CliExit(2, [`smoketrace targets suggest: ${msg}`]);

async function suggest(opts: SuggestOptions): Promise<void> {
  const { config } = loadConfigOrExit(opts);
  const at = config.auto_targets;
  if (opts.from !== undefined && !(FROM as readonly string[]).includes(opts.from)) throw usage(`--from must be one of ${FROM.join(', ')}, not ${JSON.stringify(opts.from)}`);
  const only = opts.from as (typeof FROM)[number] | undefined;
  let limit = at.max_targets;
  if (opts.limit !== undefined) {
    if (!/^\d{1,6}$/.test(opts.limit) || Number(opts.limit) < 1) throw usage(`--limit must be a whole number from 1, not ${JSON.stringify(opts.limit)}`);
    limit = Number(opts.limit);
  }
  const asns = (opts.asn ?? []).map((a) => {
    const n = /^(?:AS)?(\d{1,10})$/i.exec(a);
    if (!n || Number(n[1]) < 1 || Number(n[1]) > 4_294_967_295) throw usage(`--asn ${JSON.stringify(a)} is not an AS number (1 to 4294967295)`);
    return Number(n[1]);
  });
  if (opts.trafficFormat !== undefined && !(FORMATS as readonly string[]).includes(opts.trafficFormat)) throw usage(`--traffic-format must be one of ${FORMATS.join(', ')}`);
  const mrt = opts.mrt ?? [];
  if ((only === 'asn' || only === 'traffic') && mrt.length === 0) {
    throw usage(`--from ${only} needs routes: give --mrt FILE... (a RIB dump and/or updates); a running service ranks its live RIB at GET /api/targets/suggestions`);
  }

  const { InputFormatError } = await import('../targets/auto/traffic-format.ts');
  const { formatWindow } = await import('../targets/auto/rank.ts');
  const { rankAll, asnRulesOf, staticsOf } = await import('../targets/auto/suggest.ts');
  const { candidateAddresses } = await import('../targets/auto/addresses.ts');
  const { readHitlist, readTraffic } = await import('../targets/auto/sources.ts');
  const { run } = await import('../probe/runner.ts');
  const { ribRouting } = await import('../targets/auto/routing.ts');
  const { Rib } = await import('../rib/rib.ts');
  const fileProblem = (e: unknown): never => {
    if (e instanceof InputFormatError) throw new CliExit(2, [`smoketrace targets suggest: ${e.message}`]);
    const err = e as NodeJS.ErrnoException;
    throw new CliExit(2, [`smoketrace targets suggest: ${err.code === 'ENOENT' ? `${err.path ?? ''}: no such file` : err.message}`]);
  };

  let routing = ribRouting(new Rib());
  let churn: { prefix: string; changes: number }[] | undefined;
  let window = formatWindow(at.churn.window);
  const notes: string[] = [];
  if (mrt.length > 0) {
    const { readMrtRoutes } = await import('../targets/auto/offline.ts');
    const r = await readMrtRoutes(mrt).catch(fileProblem);
    const base = ribRouting(r.rib);
    routing = { ...base, origins: (p) => r.lastOrigins.get(p) ?? base.origins(p) };
    churn = r.churn;
    if (r.from !== undefined && r.to !== undefined) window = formatWindow(Math.max(60_000, Math.ceil((r.to - r.from) / 60_000) * 60_000));
    for (const p of r.problems.slice(0, 20)) notes.push(p);
  } else if (only !== 'static') {
    const path = resolve(config.storage.path);
    // Reading must not leave an empty database behind.
    if (!existsSync(path)) throw usage(`no database at ${path} (storage.path): give --mrt FILE..., or point --config at the service's config`);
    const { createLogger } = await import('../log.ts');
    const { Store } = await import('../store/store.ts');
    const store = new Store({ path, version, logger: createLogger({ level: 'silent' }) });
    await store.start();
    try {
      const newest = await store.churn.newestBucket();
      let since = Date.now() - at.churn.window;
      // An imported archive is older than the window: rank its last window instead.
      if (newest !== undefined && newest < since) {
        since = newest + 3_600_000 - at.churn.window;
        notes.push(`churn in the store ends ${new Date(newest + 3_600_000).toISOString()}: ranking the ${window} before that`);
      }
      churn = await store.churn.busiest({ since, limit: Math.max(100, at.churn.top * 5 + limit) });
    } finally {
      await store.stop();
    }
  }

  const trafficFile = opts.traffic ?? at.traffic.file;
  const t = at.traffic;
  const traffic =
    only === undefined || only === 'traffic'
      ? await readTraffic({ file: trafficFile, command: opts.traffic !== undefined ? undefined : t.command, format: (opts.trafficFormat as (typeof FORMATS)[number]) ?? t.format, side: t.side, metric: t.metric, timeoutMs: t.timeout }, run).catch(fileProblem)
      : undefined;
  if (only === 'traffic' && !traffic) throw usage('--from traffic needs --traffic FILE (or auto_targets.traffic.file / command)');
  const hitlist = at.hitlist !== undefined ? await readHitlist(at.hitlist).catch(fileProblem) : undefined;
  const rules = asns.length > 0 ? asns.map((asn) => ({ asn, match: 'origin' as const, top: at.asn[0]?.top ?? 20 })) : asnRulesOf(at);
  if (only === 'asn' && rules.length === 0) throw usage('--from asn needs --asn N... (or [[auto_targets.asn]] tables in the config)');

  const ranking = rankAll({
    routing,
    ...(churn ? { churn, churnWindow: window } : {}),
    ...(traffic ? { traffic } : {}),
    asnRules: rules,
    statics: staticsOf(at),
    ...(only ? { only } : {}),
    limit,
    maxPerOrigin: at.max_per_origin,
    churnTop: Math.max(at.churn.top, only === 'churn' ? limit : 0),
    trafficTop: Math.max(t.top, only === 'traffic' ? limit : 0),
  });
  if (traffic && ranking.unrouted > 0) notes.push(`${ranking.unrouted} traffic row(s) have no covering route and were left out`);
  const rows = ranking.suggestions.map((s) => ({
    prefix: s.prefix,
    address: hitlist?.find(s.prefix) ?? candidateAddresses(s.prefix, 1)[0] ?? null,
    score: s.score,
    reason: s.reason,
  }));
  for (const n of notes) process.stderr.write(`smoketrace targets suggest: ${n}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('no suggestions (no source ranked any prefix)\n');
    return;
  }
  const w = (k: 'prefix' | 'address') => Math.max(k.length, ...rows.map((r) => String(r[k] ?? '-').length));
  const [pw, aw] = [w('prefix'), w('address')];
  const sw = Math.max(5, ...rows.map((r) => String(r.score).length));
  const lines = [`${'#'.padStart(3)}  ${'prefix'.padEnd(pw)}  ${'address'.padEnd(aw)}  ${'score'.padStart(sw)}  reason`];
  rows.forEach((r, i) => lines.push(`${String(i + 1).padStart(3)}  ${r.prefix.padEnd(pw)}  ${String(r.address ?? '-').padEnd(aw)}  ${String(r.score).padStart(sw)}  ${r.reason}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerTargetsCommands(program: Command): void {
  const targets = program.command('targets').description('targets: what auto_targets would pick');
  addConfigOptions(
    targets
      .command('suggest')
      .description('rank prefixes worth a target (BGP churn, origin/upstream AS, traffic, static list) with the reason for each; from storage.path, or offline from --mrt files')
      .option('--from <source>', 'only this source: churn, asn, traffic or static')
      .option('--limit <n>', 'at most this many (default auto_targets.max_targets)')
      .option('--mrt <file...>', 'MRT update files and/or RIB dumps (plain, .gz, .bz2) instead of the store')
      .option('--traffic <file>', 'a traffic export: nfdump -o csv, pmacct -O csv|json, or CSV/JSON with address and bytes/packets')
      .option('--traffic-format <format>', 'auto, csv, json, nfdump or pmacct (default auto_targets.traffic.format)')
      .option('--asn <n...>', 'rank prefixes originated by these ASes (instead of [[auto_targets.asn]])')
      .option('--json', 'print [{ "prefix", "address", "score", "reason" }], best first'),
  ).action(async (opts: SuggestOptions) => {
    await suggest(opts);
  });
}
