// Walks raw TOML data against a schema. Collects every problem (never stops at the
// first), each a line "key: expected X, got Y", and builds the typed value.
import type { Fields, Leaf, Node, Secrecy } from './fields.ts';
import { redactUrlPassword, redactUrlPath } from './redact.ts';

export interface Problem {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

export function formatProblem(p: Problem): string {
  return `${p.path}: expected ${p.expected}, got ${p.got}`;
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** How a raw value is shown in an error line. Long values are cut; secrets are described, not shown. */
export function describe(raw: unknown, secrecy: Secrecy = 'none'): string {
  if (raw === undefined) return 'nothing';
  if (typeof raw === 'string') {
    if (secrecy === 'whole') return `a secret of ${raw.length} characters (not shown)`;
    if (secrecy === 'url-path') return JSON.stringify(redactUrlPath(raw));
    return cut(JSON.stringify(secrecy === 'url-password' ? redactUrlPassword(raw) : raw));
  }
  if (raw instanceof Date) return `a date-time ${raw.toISOString()}`;
  if (Array.isArray(raw)) return secrecy === 'none' ? cut(JSON.stringify(raw)) : 'a list';
  if (isTable(raw)) return 'a table';
  return String(raw);
}

function cut(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function validate(fields: Fields, raw: unknown, problems: Problem[]): Record<string, unknown> {
  return validateFields(fields, raw, '', problems);
}

function validateFields(fields: Fields, raw: unknown, path: string, problems: Problem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const table = raw ?? {};
  if (!isTable(table)) {
    problems.push({ path: path || '(top level)', expected: 'a table', got: describe(raw) });
    return out;
  }
  for (const key of Object.keys(table)) {
    if (!Object.hasOwn(fields, key)) problems.push(unknownKey(fields, key, path));
  }
  for (const [key, node] of Object.entries(fields)) {
    const keyPath = path ? `${path}.${key}` : key;
    out[key] = validateNode(node, table[key], keyPath, problems);
  }
  return out;
}

function validateNode(node: Node, raw: unknown, path: string, problems: Problem[]): unknown {
  if (node.kind === 'section') {
    if (raw !== undefined && !isTable(raw)) {
      problems.push({ path, expected: `a table [${path}]`, got: describe(raw) });
      return {};
    }
    return validateFields(node.fields, raw, path, problems);
  }
  if (node.kind === 'tables') {
    if (raw === undefined) return [];
    if (!Array.isArray(raw) || !raw.every(isTable)) {
      problems.push({ path, expected: `a list of tables written [[${path}]]`, got: describe(raw) });
      return [];
    }
    return raw.map((item, i) => validateFields(node.fields, item, `${path}[${i}]`, problems));
  }
  return validateLeaf(node, raw, path, problems);
}

function validateLeaf(leaf: Leaf<unknown, boolean>, raw: unknown, path: string, problems: Problem[]): unknown {
  if (raw === undefined) {
    if (leaf.defaultRaw !== undefined) {
      const d = leaf.type.parse(leaf.defaultRaw);
      if (!d.ok) throw new Error(`schema bug: the default of ${path} does not validate`);
      return d.value;
    }
    if (!leaf.optional) problems.push({ path, expected: leaf.type.expected, got: 'nothing' });
    return undefined;
  }
  const r = leaf.type.parse(raw);
  if (r.ok) return r.value;
  for (const p of r.problems) {
    problems.push({ path: `${path}${p.at}`, expected: p.expected, got: describe(p.got, leaf.secrecy) });
  }
  return undefined;
}

function unknownKey(fields: Fields, key: string, path: string): Problem {
  const known = Object.keys(fields);
  const where = path ? `a key of [${path.replace(/\[\d+\]$/, '')}]` : 'a section';
  const guess = known
    .map((k) => ({ k, d: editDistance(k, key) }))
    .filter(({ k, d }) => d <= 2 || key.startsWith(k) || k.startsWith(key))
    .sort((a, b) => a.d - b.d)[0]?.k;
  return {
    path: path ? `${path}.${key}` : key,
    expected: `${where} (one of ${known.join(', ')})`,
    got: `an unknown key${guess ? ` (did you mean "${guess}"?)` : ''}`,
  };
}

/** Levenshtein distance, for "did you mean" on typos. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
