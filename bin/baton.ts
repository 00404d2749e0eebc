/** The `baton` CLI (SPEC §4). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from '../lib/core/ports';
import { checkTemplate } from '../lib/core/templates';
import { compileJourney, renderAsl } from '../lib/journey/compile';
import { durationSeconds } from '../lib/journey/duration';
import { journeyGraph } from '../lib/journey/graph';
import { renderMermaid } from '../lib/journey/graph-mermaid';
import { renderSvg } from '../lib/journey/graph-svg';
import { journeyJsonSchema } from '../lib/journey/json-schema';
import { formatProblems, type LoadedJourney, loadJourneyFile, loadJourneys } from '../lib/journey/load';
import { startDev } from '../lib/local/dev';
import { type InputProblem, readEvents, readProfiles } from '../lib/local/inputs';
import { renderFunnel } from '../lib/local/report';
import { simulate } from '../lib/local/simulate';

/** Journeys are loaded with their templates parsed and checked. */
const WITH_TEMPLATES = { checkTemplate };

const USAGE = `usage: baton <command>

  validate [files|dirs]          check journeys (default workflows/); exit 1 on any problem
  compile <journey>              print the ASL document that is deployed
  graph <journey> [--format mermaid|svg]
                                 the journey as a diagram (default mermaid)
  simulate <journeys...> --events FILE [--profiles FILE] [--until TIME|DURATION] [--report]
                                 run journeys in virtual time; one JSON line per happening
  dev [--workflows DIR] [--profiles FILE] [--data-dir DIR] [--port N] [--speed N]
                                 the local engine and HTTP API on 127.0.0.1 (what npm start runs)
  schema                         print the JSON Schema of journey files
`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function fail(lines: string[]): never {
  for (const l of lines) process.stderr.write(`${l}\n`);
  process.exit(1);
}

/** A journey argument: a file, or the id of a journey in workflows/. */
function journeyPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const inWorkflows = join('workflows', `${arg}.json`);
  if (existsSync(inWorkflows)) return inWorkflows;
  throw new UsageError(`no journey file ${arg} (nor workflows/${arg}.json)`);
}

function loadOrFail(paths: string[]): LoadedJourney[] {
  const { loaded, failures } = loadJourneys(paths, WITH_TEMPLATES);
  if (failures.length) fail(formatProblems(failures));
  return loaded;
}

function problemsOrFail(problems: InputProblem[]) {
  if (problems.length) fail(problems.map((p) => `${p.file}:${p.line}: ${p.message}`));
}

function parseUntil(text: string, startMs: number | undefined): number {
  const at = Date.parse(text);
  if (/^\d{4}-/.test(text) && !Number.isNaN(at)) return at;
  const seconds = durationSeconds(text);
  if (seconds === undefined)
    throw new UsageError(`--until takes an RFC 3339 time or an ISO 8601 duration, found ${text}`);
  return (startMs ?? Date.now()) + seconds * 1000;
}

const consoleLog: Logger = {
  info: (m, e) => process.stderr.write(`${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
  warn: (m, e) => process.stderr.write(`warn: ${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
  error: (m, e) => process.stderr.write(`error: ${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      void values;
      const paths = positionals.length ? positionals : ['workflows'];
      const { loaded, failures } = loadJourneys(paths, WITH_TEMPLATES);
      if (failures.length) fail(formatProblems(failures));
      process.stdout.write(
        `${loaded.length} journey${loaded.length === 1 ? '' : 's'} valid: ${loaded.map((l) => l.journey.id).join(', ')}\n`,
      );
      return;
    }
    case 'compile': {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
      if (positionals.length !== 1) throw new UsageError('compile takes one journey file or id');
      const file = journeyPath(positionals[0]);
      const r = loadJourneyFile(file, WITH_TEMPLATES);
      if (!r.ok) fail(formatProblems([{ file, problems: r.problems }]));
      process.stdout.write(renderAsl(compileJourney(r.loaded.journey)));
      return;
    }
    case 'graph': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string', default: 'mermaid' } },
      });
      if (positionals.length !== 1) throw new UsageError('graph takes one journey file or id');
      if (values.format !== 'mermaid' && values.format !== 'svg') {
        throw new UsageError(`--format takes mermaid or svg, found ${values.format}`);
      }
      const file = journeyPath(positionals[0]);
      const r = loadJourneyFile(file, WITH_TEMPLATES);
      if (!r.ok) fail(formatProblems([{ file, problems: r.problems }]));
      const graph = journeyGraph(r.loaded.journey);
      process.stdout.write(values.format === 'svg' ? renderSvg(graph) : renderMermaid(graph));
      return;
    }
    case 'simulate': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          events: { type: 'string' },
          profiles: { type: 'string' },
          until: { type: 'string' },
          report: { type: 'boolean', default: false },
        },
      });
      if (!positionals.length) throw new UsageError('simulate needs at least one journey');
      if (!values.events) throw new UsageError('simulate needs --events FILE (JSON lines)');
      const journeys = loadOrFail(positionals.map(journeyPath));
      const ev = readEvents(values.events);
      const pr = values.profiles ? readProfiles(values.profiles) : { profiles: [], problems: [] };
      problemsOrFail([...ev.problems, ...pr.problems]);
      const first = ev.events.reduce<number | undefined>(
        (m, e) => Math.min(m ?? Number.POSITIVE_INFINITY, Date.parse(e.time)),
        undefined,
      );
      const until = values.until ? parseUntil(values.until, first) : undefined;
      // Long runs show where virtual time is, on a terminal only (never in piped output).
      const tty = process.stderr.isTTY;
      let shown = 0;
      const onProgress = tty
        ? (ms: number) => {
            if (Date.now() - shown < 200) return;
            shown = Date.now();
            process.stderr.write(`\rsimulating… virtual time ${new Date(ms).toISOString()}`);
          }
        : undefined;
      const { lines } = await simulate({ journeys, events: ev.events, profiles: pr.profiles, until, onProgress });
      if (tty && shown) process.stderr.write('\r\x1b[K');
      process.stdout.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
      if (values.report) process.stdout.write(`\n${renderFunnel(lines)}`);
      return;
    }
    case 'dev': {
      const { values } = parseArgs({
        args: rest,
        options: {
          workflows: { type: 'string', default: 'workflows' },
          profiles: { type: 'string' },
          'data-dir': { type: 'string', default: '.baton/data' },
          port: { type: 'string', default: '3000' },
          speed: { type: 'string', default: '1' },
        },
      });
      const port = Number(values.port);
      const speed = Number(values.speed);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port takes 0-65535, found ${values.port}`);
      if (!(speed > 0)) throw new UsageError(`--speed takes a positive number, found ${values.speed}`);
      const { loaded, failures } = loadJourneys([values.workflows], WITH_TEMPLATES);
      for (const line of formatProblems(failures)) process.stderr.write(`not loaded: ${line}\n`);
      const pr = values.profiles ? readProfiles(values.profiles) : { profiles: [], problems: [] };
      problemsOrFail(pr.problems);
      const dataDir = resolve(values['data-dir']);
      const dev = await startDev({
        journeys: loaded,
        workflowsDir: values.workflows,
        profiles: pr.profiles,
        dataDir,
        port,
        speed,
        log: consoleLog,
      });
      process.stdout.write(
        `Baton dev on http://127.0.0.1:${dev.port} — ${loaded.length} journeys (${loaded.map((l) => l.journey.id).join(', ')}), data in ${dataDir}${speed !== 1 ? `, clock x${speed}` : ''}\n`,
      );
      const stop = () => {
        void dev.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'schema':
      process.stdout.write(`${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof UsageError ||
    ((err as Error)?.name === 'TypeError' && String((err as Error).message).includes('Unknown option'))
  ) {
    process.stderr.write(`baton: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if ((err as { code?: string })?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`baton: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`baton: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
