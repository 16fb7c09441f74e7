// Where the package's own files are (package.json, schema/, config.example.toml).
// Found by walking up from this module, so it holds both when run from src/ through tsx
// and from the bundle in dist/ (scripts/build.mjs), whose depths differ.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'smoketrace') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`smoketrace: cannot find its package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export const packageRoot: string = findPackageRoot();
