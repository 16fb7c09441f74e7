// Child process for crash.test.ts: opens the store through its public API and writes
// feed gaps forever, alternating single rows and 200-row transactions. After each
// commit it prints "committed <highest id>", so the parent knows which rows must
// survive a SIGKILL. Usage: node --import tsx writer-child.ts DB_PATH RUN
import { createLogger } from '../../src/log.ts';
import { Store } from '../../src/store/store.ts';

const store = new Store({ path: process.argv[2], version: 'test', logger: createLogger({ level: 'silent' }) });
await store.start();
for (let i = 0; ; i++) {
  const batch = Array.from({ length: i % 2 === 0 ? 1 : 200 }, (_, j) => ({
    source: `run-${process.argv[3]}-write-${i}`,
    startedAt: new Date(i * 1000 + j),
    reason: `row ${j} of write ${i} `.repeat(20),
  }));
  const ids = await store.feedGaps.record(batch);
  process.stdout.write(`committed ${ids[ids.length - 1]}\n`);
}
