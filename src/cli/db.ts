// `smoketrace db migrate`: applies pending migrations to [storage] path and says what it did.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { version } from '../version.ts';
import { CliExit, type ConfigOptions, addConfigOptions, loadConfigOrExit } from './config.ts';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('manage the database');
  addConfigOptions(
    db.command('migrate').description('apply pending schema migrations to storage.path (serve also does this at start)'),
  ).action(async (opts: ConfigOptions) => {
    const { config } = loadConfigOrExit(opts);
    const { MigrationError } = await import('../store/migrate.ts');
    const { Store } = await import('../store/store.ts');
    const path = resolve(config.storage.path);
    try {
      const r = Store.migrateFile({ path, version });
      if (r.applied.length === 0) process.stdout.write(`${path}: up to date at schema version ${r.version}\n`);
      else process.stdout.write(`${path}: applied ${r.applied.map((m) => m.file).join(', ')}; now at schema version ${r.version}\n`);
    } catch (e) {
      if (e instanceof MigrationError) throw new CliExit(1, [`smoketrace db migrate: ${e.message}`]);
      throw e;
    }
  });
}
