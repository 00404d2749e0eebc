/** The `baton` command: bin/cli.ts run with this process's arguments, streams and exit code. */
import { main } from './cli';

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
