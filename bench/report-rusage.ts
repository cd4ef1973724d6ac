/**
 * Loaded with `node --import` into a measured `safe-deploy` process by bench/replay.ts: when the
 * process exits, writes its peak RSS and CPU time (all threads) to $SAFE_DEPLOY_BENCH_RUSAGE.
 * Benchmark only; the CLI knows nothing of it.
 */
import { writeFileSync } from 'node:fs';

const file = process.env['SAFE_DEPLOY_BENCH_RUSAGE'];
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuSeconds }));
  });
}
