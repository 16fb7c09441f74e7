// config.example.toml is the configuration's documentation: it must name every key the
// schema has, show each default as the default, and its examples must be valid.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'smol-toml';
import { type Node, leafPaths, nodeAt } from '../../src/config/fields.ts';
import { fromRaw, packagedExample } from '../../src/config/load.ts';
import { schema } from '../../src/config/schema.ts';

const text = readFileSync(packagedExample, 'utf8');

/** The example with its "# key = value" and "# [[table]]" lines made live. */
function uncommented(): Record<string, unknown> {
  const live = text
    .split('\n')
    .map((line) => (/^# ([a-z_]+ = |\[\[?[a-z_.]+\]\]?\s*$)/.test(line) ? line.slice(2) : line))
    .join('\n');
  return parse(live);
}

/** The value at "a.b[].c" in parsed TOML, taking the first item of each list of tables. */
function valueAt(raw: unknown, path: string): unknown {
  let v = raw;
  for (const part of path.split('.')) {
    const key = part.replace(/\[\]$/, '');
    v = (v as Record<string, unknown> | undefined)?.[key];
    if (part.endsWith('[]')) v = (v as unknown[] | undefined)?.[0];
  }
  return v;
}

function leaf(path: string): Node {
  return nodeAt(schema, path.replace(/\[\]/g, '').split('.'))!;
}

test('the example, as shipped, is a valid config', () => {
  const r = fromRaw(parse(text), { env: {} }, { path: packagedExample, how: 'given' });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
});

test('the example names every key of the schema', () => {
  const raw = uncommented();
  const missing = leafPaths(schema).filter((p) => valueAt(raw, p) === undefined);
  assert.deepEqual(missing, [], `keys not documented in config.example.toml: ${missing.join(', ')}`);
});

test('every default in the example is the schema default', () => {
  const raw = uncommented();
  for (const path of leafPaths(schema)) {
    const node = leaf(path);
    if (node.kind !== 'leaf' || node.defaultRaw === undefined) continue;
    assert.deepEqual(valueAt(raw, path), node.defaultRaw, `${path} in config.example.toml differs from its default`);
  }
});

test('the commented examples are valid values', () => {
  // The defaults of these lists are empty, and the commented target and smtp need them filled.
  const sets = ['probe.allowed=["127.0.0.0/8"]', 'email.to=noc@example.net'];
  const r = fromRaw(uncommented(), { env: {}, sets }, { path: packagedExample, how: 'given' });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.equal(r.config.targets.length, 1);
  assert.equal(r.config.ris.subscribe.length, 1);
});
