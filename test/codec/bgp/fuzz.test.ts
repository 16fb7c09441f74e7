// Random and mutated bytes fed to every decoder: only DecodeError may come out (never a
// RangeError/TypeError), and nothing hangs. Mutations start from valid encodings so the
// decoders get deep before they fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cursor } from '../../../src/codec/cursor.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { decodePathAttributes } from '../../../src/codec/bgp/attrs/index.ts';
import { decodeBgpMessage, encodeBgpMessage, splitBgpMessage } from '../../../src/codec/bgp/message.ts';
import { decodeNlri } from '../../../src/codec/bgp/nlri.ts';
import { decodeOpen } from '../../../src/codec/bgp/open.ts';
import { decodeUpdate } from '../../../src/codec/bgp/update.ts';
import { toRouteAttributes } from '../../../src/codec/bgp/route-attributes.ts';
import type { DecodeContext } from '../../../src/codec/bgp/types.ts';
import { openArb, updateArb } from './arbitraries.ts';

const CTXS: DecodeContext[] = [
  { as4: true },
  { as4: false, extendedMessage: true },
  { as4: true, addPath: new Set(['1/1', '2/1']) },
  { as4: true, mrtRibAfiSafi: { afi: 2, safi: 1 } },
];

function onlyDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

function all(bytes: Uint8Array, ctx: DecodeContext): void {
  onlyDecodeError(() => decodeBgpMessage(bytes, ctx));
  onlyDecodeError(() => splitBgpMessage(bytes, 0, ctx));
  onlyDecodeError(() => decodeOpen(new Cursor(bytes)));
  onlyDecodeError(() => decodeUpdate(new Cursor(bytes), ctx));
  onlyDecodeError(() => toRouteAttributes(decodePathAttributes(new Cursor(bytes), ctx).attributes));
  onlyDecodeError(() => decodeNlri(new Cursor(bytes), 4, ctx.addPath !== undefined));
  onlyDecodeError(() => decodeNlri(new Cursor(bytes), 6, false));
}

const ctxArb = fc.constantFrom(...CTXS);

test('random bytes: only DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), ctxArb, (b, ctx) => all(b, ctx)),
    { numRuns: 2000 },
  );
});

test('random bytes behind a valid header: only DecodeError', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 3, 4, 5), fc.uint8Array({ maxLength: 120 }), ctxArb, (type, body, ctx) => {
      const len = 19 + body.length;
      const b = new Uint8Array(len);
      b.fill(0xff, 0, 16);
      b[16] = len >> 8;
      b[17] = len & 255;
      b[18] = type;
      b.set(body, 19);
      all(b, ctx);
    }),
    { numRuns: 2000 },
  );
});

const mutation = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 });

test('mutated valid UPDATE and OPEN messages: only DecodeError', () => {
  const valid = fc.oneof(updateArb(true, new Set(['1/1', '2/1'])), updateArb(false, new Set()), openArb);
  fc.assert(
    fc.property(valid, mutation, fc.nat(), ctxArb, (m, muts, cut, ctx) => {
      const bytes = encodeBgpMessage(m, { as4: true, extendedMessage: true, addPath: new Set(['1/1', '2/1']) });
      for (const { at, value } of muts) bytes[19 + (at % Math.max(1, bytes.length - 19))] = value;
      all(bytes, ctx);
      all(bytes.subarray(0, cut % (bytes.length + 1)), ctx);
    }),
    { numRuns: 2000 },
  );
});

test('decoders allocate no more than the input justifies', () => {
  // Length fields claiming 65535 bytes in a tiny input fail at once, without building anything.
  const b = new Uint8Array([0x90, 0x02, 0xff, 0xff, 0x02, 0xff]);
  assert.throws(() => decodePathAttributes(new Cursor(b), { as4: true }), (e: unknown) => e instanceof DecodeError && e.code === 'attr-overrun');
  // A 255-AS segment in 6 bytes is an overrun warning, not a 255-slot array.
  const r = decodePathAttributes(new Cursor(new Uint8Array([0x40, 0x02, 0x04, 0x02, 0xff, 0x00, 0x01])), { as4: true });
  assert.equal(r.warnings[0].code, 'as-path-segment-overrun');
});
