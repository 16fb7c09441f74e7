// Random and mutated bytes into the BMP codec: only DecodeError may come out (never a
// RangeError or TypeError), and nothing hangs. The session gets the same bytes and must
// never throw at all (problems are events). Mutations start from valid messages so the
// decoders get deep before they fail.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeBmpMessage, decodeRouteMonitoringUpdate, encodeBmpMessage, openFacts, splitBmp, splitBmpStream } from '../../../src/codec/bmp/index.ts';
import { DecodeError } from '../../../src/codec/errors.ts';
import { BmpSession } from '../../../src/feeds/bmp-session.ts';
import type { FeedEvent } from '../../../src/model/feed-event.ts';
import { addr, announceMsg, initiation, peerHeader, peerUp, withdrawMsg } from './util.ts';

function onlyDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}

function all(b: Uint8Array): void {
  onlyDecodeError(() => splitBmp(b, 0));
  onlyDecodeError(() => splitBmpStream(b));
  onlyDecodeError(() => openFacts(b));
  onlyDecodeError(() => {
    const m = decodeBmpMessage(b);
    if (m.kind === 'route-monitoring') {
      onlyDecodeError(() => decodeRouteMonitoringUpdate(m, { as4: true }));
      onlyDecodeError(() => decodeRouteMonitoringUpdate(m, { as4: false, addPath: new Set(['1/1', '2/1']) }));
    }
    if (m.kind === 'peer-up') {
      onlyDecodeError(() => openFacts(m.sentOpen));
      onlyDecodeError(() => openFacts(m.receivedOpen));
    }
  });
  const s = new BmpSession('fuzz', { clock: () => 0, maxMessageBytes: 4096 });
  const out: FeedEvent[] = [];
  s.feed(b, out);
  s.close('end', out);
}

test('random bytes: only DecodeError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), all), { numRuns: 3000 });
});

test('random bodies behind a valid common header: only DecodeError', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 300 }), (type, body) => {
      const b = new Uint8Array(6 + body.length);
      b.set([3, 0, 0, 0, 0, type]);
      new DataView(b.buffer).setUint32(1, b.length);
      b.set(body, 6);
      all(b);
    }),
    { numRuns: 3000 },
  );
});

const VALID = [
  initiation(),
  peerUp(peerHeader(), 65001, { mine: 3, theirs: 3 }),
  peerUp(peerHeader({ address: addr('2001:db8::2') })),
  announceMsg(peerHeader(), ['198.51.100.0/24', '203.0.113.0/25'], [65002, 65004]),
  announceMsg(peerHeader(), ['198.51.100.0/24'], [65002], [1]),
  withdrawMsg(peerHeader(), ['198.51.100.0/24']),
  { kind: 'peer-down' as const, peer: peerHeader(), reason: 1, data: { kind: 'notification' as const, notification: { kind: 'notification' as const, code: 6, subcode: 2, data: new Uint8Array(0) } } },
  { kind: 'statistics' as const, peer: peerHeader(), stats: [{ kind: 'counter' as const, type: 1, value: 3 }, { kind: 'afi-safi-gauge' as const, type: 9, afi: 1, safi: 1, value: 9n }] },
].map(encodeBmpMessage);

test('mutated valid messages (and streams of them): only DecodeError, the session never throws', () => {
  const mutation = fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...VALID), { minLength: 1, maxLength: 4 }), mutation, fc.nat(), (msgs, muts, cutAt) => {
      const total = msgs.reduce((n, m) => n + m.length, 0);
      const b = new Uint8Array(total);
      let o = 0;
      for (const m of msgs) {
        b.set(m, o);
        o += m.length;
      }
      // Keep the version byte of the first header mostly intact so the bodies get read.
      for (const { at, value } of muts) b[1 + (at % (b.length - 1))] = value;
      all(b);
      all(b.subarray(0, cutAt % (b.length + 1)));
      onlyDecodeError(() => decodeBmpMessage(b.subarray(0, msgs[0].length)));
    }),
    { numRuns: 3000 },
  );
});

test('valid messages decode and re-encode exactly', () => {
  for (const m of VALID) assert.deepEqual(encodeBmpMessage(decodeBmpMessage(m)), m);
});
