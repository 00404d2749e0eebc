// Loaded with `node -r` into a process the backtest benchmark measures: it appends the process's
// resident memory every second, and its peak (the kernel's high-water mark) and CPU time at exit,
// as JSON lines to the file named by BENCH_RSS_FILE.
const { appendFileSync } = require('node:fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  const started = Date.now();
  const note = (o) => appendFileSync(file, `${JSON.stringify(o)}\n`);
  setInterval(
    () => note({ s: (Date.now() - started) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 }),
    1000,
  ).unref();
  process.on('exit', () => {
    const u = process.resourceUsage();
    note({
      exit: true,
      s: (Date.now() - started) / 1000,
      peakMb: u.maxRSS / 1024,
      cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6,
    });
  });
}
