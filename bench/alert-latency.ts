// Issue 6's latency goal: time from a BGP update to the alert email, median over repeated
// moves, in the FRR lab (root). Each round moves r1's best path to the slow path (`flap
// prepend`: a WORSE mail) and back (`restore`: a RECOVERED mail), waiting for a settled
// baseline in between. Two clocks are reported per mail:
//   - from the BGP change's own time (the BMP per-peer timestamp FRR stamps; it runs up to
//     ~1 s behind this clock, so this figure errs long), and
//   - from the moment the lab command that made the change returned.
// Usage: node --import tsx bench/alert-latency.ts [--rounds N]   (default 5)
import { AlertLab } from '../test/lab/alert-harness.ts';
import { TARGET_PREFIXES } from '../test/lab/lab.ts';

const arg = process.argv.indexOf('--rounds');
const rounds = arg > 0 ? Number(process.argv[arg + 1]) : 5;
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
  console.error('--rounds: expected an integer 1-50');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('needs root (the lab uses network namespaces)');
  process.exit(2);
}

const P203 = TARGET_PREFIXES.v4[1];
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const h = new AlertLab();
const fromChange: Record<'worse' | 'better', number[]> = { worse: [], better: [] };
const fromCommand: Record<'worse' | 'better', number[]> = { worse: [], better: [] };
try {
  await h.up();
  await h.baseline();
  for (let i = 0; i < rounds; i++) {
    for (const [kind, move, subject] of [
      ['worse', () => h.lab!.flap('prepend'), /WORSE/],
      ['better', () => h.lab!.restore(), /RECOVERED/],
    ] as const) {
      const from = h.mailbox.mails.length;
      const t0 = Date.now();
      await move();
      const done = Date.now();
      const mail = await h.mail((m) => subject.test(m.subject) && m.subject.includes(P203), 60_000, from, 't203', t0);
      const changed = await h.changeTime('t203', t0 - 5000, kind);
      fromChange[kind].push(mail.at - changed);
      fromCommand[kind].push(mail.at - done);
      console.log(`round ${i + 1} ${kind}: ${fmt(mail.at - changed)} from the BGP change, ${fmt(mail.at - done)} from the command`);
      await h.baseline(3);
    }
  }
} finally {
  await h.down();
}
for (const kind of ['worse', 'better'] as const) {
  const a = fromChange[kind];
  console.log(
    `${kind === 'worse' ? 'WORSE mails    ' : 'RECOVERED mails'}: median ${fmt(median(a))} from the BGP change (min ${fmt(Math.min(...a))}, max ${fmt(Math.max(...a))}), median ${fmt(median(fromCommand[kind]))} from the command; n=${a.length}`,
  );
}
