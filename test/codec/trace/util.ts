// Helpers for the trace codec tests: where the inputs live, and a compact one-line
// summary of a Trace so expectations read like the tool's own output.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { needFixture, repoRoot, requirement } from '../../helpers/requirements.ts';
import { isDecodeError } from '../../../src/codec/errors.ts';
import type { Hop, Trace } from '../../../src/model/trace.ts';

/** Outputs the lab on this machine produced (../shared/lab/samples); test/lab/ will make fresh ones. */
export const labSamples = process.env.SMOKETRACE_LAB_SAMPLES ?? resolve(repoRoot, '..', 'shared', 'lab', 'samples');

/** Text of a lab sample, or undefined (test skipped, or failed under SMOKETRACE_REQUIRE_LAB=1) when absent. */
export function needLabSample(t: TestContext, name: string): string | undefined {
  const p = join(labSamples, name);
  return requirement(t, existsSync(p), `lab sample ${p} not found (../shared/lab/samples is absent)`) ? readFileSync(p, 'utf8') : undefined;
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
