/** The `baton` command: bin/cli.ts run with this process's arguments, streams and exit code. */
import { boundHeapGrowth } from '../lib/local/heap-growth';
import { main } from './cli';

// A backtest holds every customer's records: keep V8 from growing the heap 4× past them. Set here,
// for the process `baton simulate` runs in, not in main(), which tests call in their own processes.
if (process.argv[2] === 'simulate') boundHeapGrowth();

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTty: process.stderr.isTTY,
}).then(({ code, failed }) => {
  // An error ends the process at once: a command cut short may still hold timers or handles open.
  if (failed) process.exit(code);
  // A finished command ends by itself once its output has drained (pipes are asynchronous on macOS).
  process.exitCode = code;
});
