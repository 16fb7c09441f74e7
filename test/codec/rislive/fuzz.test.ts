// Random text, cut frames and mutated real frames never make the decoder throw, and what
// comes out is always well-formed: route events with a prefix and a peer, problems tagged
// layer 'rislive' with a code. Mutations start from the real fixtures so the decoder gets
// deep (into announcements, paths, communities) before it meets the damage.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeRisLiveFrame } from '../../../src/codec/rislive/index.ts';
import { sharedFixtures } from '../../helpers/requirements.ts';
import { lines } from './util.ts';

const FILES = ['rislive-morrowc/10-msg.jsonl', 'rislive-morrowc/20-msg.jsonl', 'rislive-morrowc/fail-as-set.jsonl', 'libbgpstream/ris-live-stream.json'];
// A built-in frame keeps the property meaningful where ../shared/fixtures is absent.
const BUILT_IN =
  '{"type":"ris_message","data":{"timestamp":1.5,"peer":"192.0.2.1","peer_asn":"64500","host":"rrc00","type":"UPDATE","path":[1,[2,3]],"community":[[1,2]],"origin":"igp","med":5,"aggregator":"1:192.0.2.2","withdrawals":["10.0.0.0/8"],"announcements":[{"next_hop":"2001:db8::1,fe80::1","prefixes":["2001:db8::/32"]}]}}';
const SEEDS = [BUILT_IN, ...FILES.map((f) => join(sharedFixtures, f)).filter(existsSync).flatMap(lines)];
// libbgpstream's last line is cut on purpose; only whole frames can be mutated as JSON.
const PARSEABLE = SEEDS.filter((l) => {
  try {
    JSON.parse(l);
    return true;
  } catch {
    return false;
  }
});

function checkFrame(text: string): void {
  const f = decodeRisLiveFrame(text, 42);
  for (const e of f.events) {
    if (e.kind === 'route') {
      assert.ok(e.event.prefix.bytes.length === 4 || e.event.prefix.bytes.length === 16, `prefix of ${e.event.prefix.bytes.length} bytes: neither IPv4 nor IPv6`);
      assert.ok(Number.isInteger(e.event.peer.asn), `peer ASN ${e.event.peer.asn} is not an integer`);
      assert.ok(Number.isFinite(e.event.time), `event time ${e.event.time} is not finite`);
      if (e.event.kind === 'announce') assert.ok(Array.isArray(e.event.attrs.asPath), 'an announce must carry an AS path array');
    } else if (e.kind === 'decode-error') {
      assert.equal(e.problem.layer, 'rislive');
      assert.ok(e.problem.code.length > 0, 'a decode-error must carry a problem code');
    } else {
      assert.ok(e.kind === 'peer-down' || e.kind === 'peer-up', e.kind);
    }
  }
}

/** Replaces the node reached by following `steps` (index into keys/elements) with `value`. */
function mutate(root: unknown, steps: number[], value: unknown): unknown {
  if (typeof root !== 'object' || root === null || steps.length === 0) return value;
  const keys = Object.keys(root);
  if (keys.length === 0) return value;
  const k = keys[steps[0] % keys.length];
  const copy: Record<string, unknown> = Array.isArray(root) ? ([...root] as unknown as Record<string, unknown>) : { ...(root as Record<string, unknown>) };
  copy[k] = mutate(copy[k], steps.slice(1), value);
  return copy;
}

test('random strings never throw', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => checkFrame(s)), { numRuns: 2000 });
});

test('random JSON values never throw', () => {
  fc.assert(fc.property(fc.jsonValue(), (v) => checkFrame(JSON.stringify(v) ?? 'null')), { numRuns: 2000 });
});

test('real frames cut anywhere never throw', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SEEDS), fc.nat(), (line, at) => checkFrame(line.slice(0, at % (line.length + 1)))),
    { numRuns: 1000 },
  );
});

test('real frames with one node replaced by random JSON never throw', () => {
  fc.assert(
    fc.property(fc.constantFrom(...PARSEABLE), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), (line, steps, value) => {
      checkFrame(JSON.stringify(mutate(JSON.parse(line), steps, value)));
    }),
    { numRuns: 3000 },
  );
});
