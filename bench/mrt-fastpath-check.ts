// Cross-check of the MRT fast paths against the general ones, on every MRT file under the
// shared fixtures, fixtures/mrt and the benchmark's synthetic RIB and updates (if written):
// - mrtRouteEvents().convertRaw(raw) deep-equals convert(decodeMrtRecord(raw)): events,
//   problems and thrown DecodeErrors;
// - BgpdumpText.formatRaw (TABLE_DUMP_V2 RIB and BGP4MP UPDATE fast paths) writes exactly
//   what format() returns, or declines; and declines wherever format() reports a problem.
// Run: node --import tsx bench/mrt-fastpath-check.ts [FILE...]
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BgpdumpText } from '../src/codec/mrt/bgpdump/text.ts';
import { decodeMrtRecord } from '../src/codec/mrt/index.ts';
import { mrtRouteEvents } from '../src/codec/mrt/route-events.ts';
import { mrtFileRawBatches } from '../src/feeds/mrt-file.ts';
import { repoRoot, sharedFixtures } from '../test/helpers/requirements.ts';

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : [...walk(sharedFixtures), ...walk(join(repoRoot, 'fixtures/mrt')), '/tmp/smoketrace-bench-rib.mrt', '/tmp/smoketrace-bench-updates-v1.gz'].filter(
        (f) => existsSync(f) && !/\.(md|txt|bgp\.gz|json|py|sh)$/.test(f),
      );

function attempt<T>(f: () => T): { ok: T } | { err: unknown } {
  try {
    return { ok: f() };
  } catch (err) {
    return { err };
  }
}

let records = 0;
let fastText = 0;
const fastByType = new Map<number, number>();
for (const file of files) {
  const fast = mrtRouteEvents({ router: 'x', received: () => 1 });
  const slow = mrtRouteEvents({ router: 'x', received: () => 1 });
  const tFast = new BgpdumpText();
  let slowProblems = 0;
  const tSlow = new BgpdumpText({ onProblem: () => slowProblems++ });
  const sink = {
    buf: new Uint8Array(1 << 16),
    pos: 0,
    ensure(n: number) {
      if (this.pos + n > this.buf.length) {
        const b = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
        b.set(this.buf.subarray(0, this.pos));
        this.buf = b;
      }
    },
    latin1(s: string) {
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
    },
  };
  try {
    for await (const batch of mrtFileRawBatches(file)) {
      for (const raw of batch.records) {
        records++;
        const a = attempt(() => fast.convertRaw(raw));
        const b = attempt(() => slow.convert(decodeMrtRecord(raw)));
        assert.deepStrictEqual(a, b, `${file} @${raw.offset}: events`);
        assert.deepStrictEqual(fast.takeProblems(), slow.takeProblems(), `${file} @${raw.offset}: problems`);
        const dec = attempt(() => decodeMrtRecord(raw));
        sink.pos = 0;
        if (tFast.formatRaw(raw, sink)) {
          fastText++;
          fastByType.set(raw.header.type, (fastByType.get(raw.header.type) ?? 0) + 1);
          assert.ok('ok' in dec, `${file} @${raw.offset}: formatRaw took a record that does not decode`);
          const before = slowProblems;
          const want = 'ok' in dec ? tSlow.format(dec.ok) : '';
          assert.equal(Buffer.from(sink.buf.subarray(0, sink.pos)).toString('latin1'), want, `${file} @${raw.offset}: text`);
          assert.equal(slowProblems, before, `${file} @${raw.offset}: formatRaw took a record format() reports a problem for`);
        } else if ('ok' in dec) {
          tFast.format(dec.ok);
          tSlow.format(dec.ok);
        }
      }
    }
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    console.log(`${file}: ${(e as Error).message} (not an MRT file?)`);
  }
}
console.log(`${files.length} files, ${records} records: fast paths equal the general ones (${fastText} records as bgpdump text by formatRaw: ${[...fastByType].map(([t, n]) => `type ${t}: ${n}`).join(', ')})`);
