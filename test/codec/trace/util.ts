// Helpers for the trace codec tests: where the inputs live, and a compact one-line
// summary of a Trace so expectations read like the tool's own output.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { labSamples, needFixture, needLabSamplePath } from '../../helpers/requirements.ts';
import { isDecodeError } from '../../../src/codec/errors.ts';
import type { Hop, Trace } from '../../../src/model/trace.ts';

/** Outputs the lab on this machine produced (../shared/lab/samples, or $SMOKETRACE_LAB_SAMPLES); test/lab/ will make fresh ones. */
export { labSamples };

/** Text of a lab sample, or undefined (test skipped, or failed under SMOKETRACE_REQUIRE_LAB=1) when absent. */
export function needLabSample(t: TestContext, name: string): string | undefined {
  const p = needLabSamplePath(t, name);
  return p === undefined ? undefined : readFileSync(p, 'utf8');
}

/** Text of a shared fixture, or undefined (test skipped) when absent. */
export function needFixtureText(t: TestContext, rel: string): string | undefined {
  const p = needFixture(t, rel);
  return p === undefined ? undefined : readFileSync(p, 'utf8');
}

/** "ttl:sent/received[addr=rtt,rtt{flags} addr2=...]" per hop, space separated. */
export function hopsLine(hops: readonly Hop[]): string {
  return hops
    .map((h) => {
      const rs = h.responders.map((r) => `${r.address}=${r.rtts.join(',')}${r.flags ? `{${r.flags.join(',')}}` : ''}`);
      return `${h.ttl}:${h.sent}/${h.received}[${rs.join(' ')}]`;
    })
    .join(' ');
}

/** Target, reached, stop reason and hop count in one line. */
export function headLine(t: Trace): string {
  return `${t.backend} ${t.method} ${t.target} reached=${t.reached} stop=${t.stopReason ?? '-'} hops=${t.hops.length}`;
}

/** Runs `f`, expects a DecodeError with `code` (and never another exception). */
export function assertDecodeError(f: () => unknown, code: string, name = code): void {
  try {
    f();
  } catch (e) {
    assert.ok(isDecodeError(e), `${name}: expected DecodeError, got ${String(e)}`);
    assert.equal(e.layer, 'trace', name);
    assert.equal(e.code, code, `${name}: ${e.message}`);
    return;
  }
  assert.fail(`${name}: expected DecodeError ${code}, got a value`);
}
