// The shape of a config schema: sections of fields, lists of tables ([[targets]]) and
// leaves. The typed Config is inferred from the schema, so a key exists in one place.
import type { ValueType } from './values.ts';

/** How a leaf's value is shown in an error line: secrets are never echoed. */
/** 'url-path' hides credentials, path and query (for webhook URLs). */
export type Secrecy = 'none' | 'whole' | 'url-password' | 'url-path';

export interface Leaf<T, Optional extends boolean> {
  readonly kind: 'leaf';
  readonly type: ValueType<T>;
  /** The raw TOML value used when the key is absent; parsed like a written one. */
  readonly defaultRaw: unknown;
  readonly optional: Optional;
  readonly secrecy: Secrecy;
}

export interface Section<F extends Fields> {
  readonly kind: 'section';
  readonly fields: F;
}

/** A TOML array of tables, e.g. [[targets]]. */
export interface TableList<F extends Fields> {
  readonly kind: 'tables';
  readonly fields: F;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a field of any value type
export type Node = Leaf<any, boolean> | Section<any> | TableList<any>;
export type Fields = { readonly [key: string]: Node };

export type Infer<N> = N extends Leaf<infer T, infer O>
  ? O extends true
    ? T | undefined
    : T
  : N extends Section<infer F>
    ? InferFields<F>
    : N extends TableList<infer F>
      ? InferFields<F>[]
      : never;
export type InferFields<F extends Fields> = { readonly [K in keyof F]: Infer<F[K]> };

/** A leaf with a default (written as it would be in TOML, e.g. "5m"). */
export function withDefault<T>(type: ValueType<T>, defaultRaw: unknown, secrecy: Secrecy = 'none'): Leaf<T, false> {
  return { kind: 'leaf', type, defaultRaw, optional: false, secrecy };
}

/** A leaf that must be written (only inside [[tables]], where defaults make no sense). */
export function required<T>(type: ValueType<T>): Leaf<T, false> {
  return { kind: 'leaf', type, defaultRaw: undefined, optional: false, secrecy: 'none' };
}

/** A leaf that may be absent (undefined in Config). */
export function optional<T>(type: ValueType<T>, secrecy: Secrecy = 'none'): Leaf<T, true> {
  return { kind: 'leaf', type, defaultRaw: undefined, optional: true, secrecy };
}

export function section<F extends Fields>(fields: F): Section<F> {
  return { kind: 'section', fields };
}

export function tables<F extends Fields>(fields: F): TableList<F> {
  return { kind: 'tables', fields };
}

/** Every leaf's dotted path, with "[]" for list-of-table items: "targets[].address". */
export function leafPaths(fields: Fields, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, node] of Object.entries(fields)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (node.kind === 'leaf') out.push(path);
    else out.push(...leafPaths(node.fields, node.kind === 'tables' ? `${path}[]` : path));
  }
  return out;
}

/** The node at a dotted path (no list indices), or undefined. */
export function nodeAt(fields: Fields, path: readonly string[]): Node | undefined {
  let current: Fields = fields;
  let node: Node | undefined;
  for (const key of path) {
    node = Object.hasOwn(current, key) ? current[key] : undefined;
    if (!node) return undefined;
    if (node.kind !== 'leaf') current = node.fields;
  }
  return node;
}
