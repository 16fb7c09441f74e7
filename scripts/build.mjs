#!/usr/bin/env node
// Bundles src/cli.ts into dist/ with esbuild (npm packages stay external), split so each
// command loads only what it uses. Start-up drops from ~1.2 s (tsx transforming every
// module) to a few tens of ms, which matters for `smoketrace mrt dump` in scripts.
// Runs on `npm install` (prepare), `npm start` and `npm test`; bin/smoketrace.js falls
// back to the TypeScript sources through tsx whenever dist/ is missing or older than src/.
import { cpSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
// The console's files (src/api/web.ts serves them from dist/web when bundled).
cpSync('src/web', 'dist/web', { recursive: true });
