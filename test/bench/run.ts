/**
 * `npm run bench`: runs every benchmark suite in turn and prints its tables.
 * Suites export an async `run…Bench()`; append new ones to SUITES.
 * Missed targets are printed, never turned into an exit status (machines are noisy).
 * `npm run bench -- minimize crypto` runs only the suites named.
 */
import { runAuditBench } from './audit.bench.js';
import { runCliBench } from './cli.bench.js';
import { runConsentBench } from './consent.bench.js';
import { runCryptoBench } from './crypto.bench.js';
import { runDataBench } from './data.bench.js';
import { runDetectBench } from './detect.bench.js';
import { runHttpBench } from './http.bench.js';
import { runMinimizeBench } from './minimize.bench.js';
import { runRightsBench } from './rights.bench.js';

const SUITES: ReadonlyArray<readonly [name: string, run: () => Promise<void>]> = [
  ['minimize', runMinimizeBench],
  ['crypto', runCryptoBench],
  ['consent', runConsentBench],
  ['detect', runDetectBench],
  ['http', runHttpBench],
  ['cli', runCliBench],
  ['audit', runAuditBench],
  ['rights', runRightsBench],
  ['data', runDataBench],
];

// `npm run bench -- crypto` runs only the suites named
const only = process.argv.slice(2);
console.log(`purposeful benchmarks — node ${process.version}, ${process.platform}/${process.arch}`);
for (const [name, run] of SUITES) {
  if (only.length && !only.includes(name)) continue;
  const t0 = performance.now();
  await run();
  console.log(`\n(${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
