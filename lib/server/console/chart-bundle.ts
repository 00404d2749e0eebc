/**
 * Chart.js for the console, bundled from the installed npm package by esbuild when the console
 * first asks for it and kept in memory: the page loads it from `baton dev` itself
 * (`/console/chart.js`), so the console draws its charts without fetching anything from the internet.
 */
import { build } from 'esbuild';

/** The bundle could not be built (chart.js or esbuild missing from the install); `cause` says why. */
export class ChartBundleError extends Error {
  override readonly name = 'ChartBundleError';
  constructor(cause: unknown) {
    super(`chart.js could not be bundled for the console: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Every chart type and scale registered, and `Chart` set on `window` for the console's script. */
const ENTRY =
  "import { Chart, registerables } from 'chart.js'; Chart.register(...registerables); window.Chart = Chart;";

let bundle: Promise<string> | undefined;

/** The minified browser script that defines `window.Chart`; built once a process. */
export function chartBundle(): Promise<string> {
  if (!bundle) {
    bundle = build({
      // Resolved from this file, so it works whatever directory baton dev was started in.
      stdin: { contents: ENTRY, resolveDir: __dirname, loader: 'js', sourcefile: 'console-charts.js' },
      bundle: true,
      format: 'iife',
      minify: true,
      write: false,
      platform: 'browser',
      target: 'es2020',
      logLevel: 'silent',
      legalComments: 'inline',
    }).then(
      (r) => r.outputFiles[0].text,
      (err) => {
        // A failure is not kept: the next request tries again.
        bundle = undefined;
        throw new ChartBundleError(err);
      },
    );
  }
  return bundle;
}
