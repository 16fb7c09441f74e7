import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSubscribe } from '../../../src/codec/rislive/index.ts';

test('buildSubscribe: only the fields that are set; UPDATE by default; no raw, acknowledged', () => {
  assert.deepEqual(JSON.parse(buildSubscribe({ prefix: '192.0.2.0/24', moreSpecific: true, lessSpecific: false })), {
    type: 'ris_subscribe',
    data: { type: 'UPDATE', prefix: '192.0.2.0/24', moreSpecific: true, lessSpecific: false, socketOptions: { includeRaw: false, acknowledge: true } },
  });
  assert.deepEqual(JSON.parse(buildSubscribe({ path: '64500$', host: 'rrc00', peer: '2001:db8::1' })).data, {
    host: 'rrc00',
    type: 'UPDATE',
    path: '64500$',
    peer: '2001:db8::1',
    socketOptions: { includeRaw: false, acknowledge: true },
  });
  // Specificity without a prefix means nothing and is not sent; empty strings are not filters.
  assert.deepEqual(JSON.parse(buildSubscribe({ moreSpecific: true, host: '', type: 'RIS_PEER_STATE' })).data, {
    type: 'RIS_PEER_STATE',
    socketOptions: { includeRaw: false, acknowledge: true },
  });
});
