// decode(encode(x)) deep-equals x for every attribute kind and every message type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cursor, Writer } from '../../../src/codec/cursor.ts';
import { decodePathAttributes, encodePathAttributes } from '../../../src/codec/bgp/attrs/index.ts';
import { decodeBgpMessage, encodeBgpMessage } from '../../../src/codec/bgp/message.ts';
import type { DecodeContext } from '../../../src/codec/bgp/types.ts';
import { attributesArb, openArb, updateArb } from './arbitraries.ts';

const CTXS: DecodeContext[] = [
  { as4: true },
  { as4: false },
  { as4: true, addPath: new Set(['1/1', '2/1', '2/2']), extendedMessage: true },
];

for (const ctx of CTXS) {
  const label = `as4=${ctx.as4} addPath=${[...(ctx.addPath ?? [])].join(',') || '-'}`;
  const addPath = ctx.addPath ?? new Set<string>();

  test(`path attributes round trip (${label})`, () => {
    fc.assert(
      fc.property(attributesArb(ctx.as4, addPath), (attrs) => {
        const w = new Writer();
        encodePathAttributes(attrs, w, ctx);
        const r = decodePathAttributes(new Cursor(w.finish(), 0, w.length, 'attr'), ctx);
        assert.deepEqual(r.warnings, []);
        assert.deepEqual(r.attributes, attrs);
      }),
      { numRuns: 500 },
    );
  });

  test(`UPDATE round trip (${label})`, () => {
    fc.assert(
      fc.property(updateArb(ctx.as4, addPath), (m) => {
        assert.deepEqual(decodeBgpMessage(encodeBgpMessage(m, { ...ctx, extendedMessage: true }), { ...ctx, extendedMessage: true }), m);
      }),
      { numRuns: 300 },
    );
  });
}

test('OPEN round trip', () => {
  fc.assert(
    fc.property(openArb, (m) => {
      assert.deepEqual(decodeBgpMessage(encodeBgpMessage(m, { as4: true }), { as4: true }), m);
    }),
    { numRuns: 500 },
  );
});

test('NOTIFICATION round trip', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 100 }), (code, subcode, data) => {
      const m = { kind: 'notification' as const, code, subcode, data };
      assert.deepEqual(decodeBgpMessage(encodeBgpMessage(m, { as4: true }), { as4: true }), m);
    }),
    { numRuns: 200 },
  );
});

test('an attribute value over 255 bytes gets the extended-length flag', () => {
  const attrs = [{ kind: 'communities' as const, flags: 0xc0, values: Array.from({ length: 100 }, (_, i) => i) }];
  const w = new Writer();
  encodePathAttributes(attrs, w, { as4: true });
  const bytes = w.finish();
  assert.deepEqual([bytes[0], bytes[1], (bytes[2] << 8) | bytes[3]], [0xd0, 8, 400]);
  assert.deepEqual(decodePathAttributes(new Cursor(bytes), { as4: true }).attributes, [{ ...attrs[0], flags: 0xd0 }]);
});
