// Strict parsers for test literals: a typo in a test's address or prefix throws at once
// instead of turning into `undefined` somewhere inside the code under test.
import { type Address, parseAddress } from '../../src/model/address.ts';
import { type Prefix, parsePrefix } from '../../src/model/prefix.ts';

export function addr(s: string): Address {
  const a = parseAddress(s);
  if (!a) throw new Error(`bad address ${s}`);
  return a;
}

export function pfx(s: string): Prefix {
  const p = parsePrefix(s);
  if (!p) throw new Error(`bad prefix ${s}`);
  return p;
}
