/**
 * The `baton` CLI (SPEC §4) as a function: arguments in, text out through `io`, an exit code back.
 * bin/baton.ts runs it on the process; tests run it in-process, without a Node start per command.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { compileRun } from '../lib/audience/compile-run';
import { EndlessScheduleError, firstRunAt } from '../lib/audience/run-starter';
import { isRfc3339 } from '../lib/core/envelope';
import type { Logger } from '../lib/core/ports';
import { PreviewStepError, previewSends } from '../lib/core/preview';
import type { Profile } from '../lib/core/profile';
import { checkTemplate } from '../lib/core/templates';
import { runPinpointImport } from '../lib/import/pinpoint/files';
import { compileJourney, renderAsl } from '../lib/journey/compile';
import { durationSeconds } from '../lib/journey/duration';
import { journeyGraph } from '../lib/journey/graph';
import { renderMermaid } from '../lib/journey/graph-mermaid';
import { graphSvg } from '../lib/journey/graph-svg';
import { journeyJsonSchema } from '../lib/journey/json-schema';
import { formatProblems, type LoadedJourney, loadJourneyFile, loadJourneys } from '../lib/journey/load';
import { BufferedOutput } from '../lib/local/buffered-output';
import { ClockOutOfRangeError, MAX_SPEED } from '../lib/local/continuing-clock';
import { startDev } from '../lib/local/dev';
import { devBanner } from '../lib/local/dev-banner';
import { DataDirInUseError, PortInUseError } from '../lib/local/dev-errors';
import { checkEventFile, replayEvents } from '../lib/local/event-file';
import { type InputProblem, readProfiles } from '../lib/local/inputs';
import { previewText } from '../lib/local/preview-text';
import { ProgressLine, progressText } from '../lib/local/progress';
import { checkProfileFile, profileStream } from '../lib/local/record-stream';
import { FunnelCounts } from '../lib/local/report';
import type { LocalRuntime } from '../lib/local/runtime';
import { simulate } from '../lib/local/simulate';
import { type ResultsReport, resultsReport } from '../lib/results/report';
import { DataDirLockedError } from '../lib/store/data-dir-lock';
import { LegacyStoreError, openLocalStore, STORE_FILE } from '../lib/store/local-store';
import { getProfile } from '../lib/store/profiles';
import { version } from '../package.json';

/** Journeys are loaded with their templates parsed and checked. */
const WITH_TEMPLATES = { checkTemplate };

/** Where the CLI's text goes: the process's stdout and stderr, or a test's buffers. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Progress lines are drawn on a terminal only, never into piped output. */
  errIsTty?: boolean;
}

/** How a command ended: its exit code, and whether an error cut it short. */
export interface CliExit {
  code: number;
  /** An error ended the command: the process exits at once, whatever the command left open. */
  failed: boolean;
}

/** A command used wrongly: said in one line with a pointer to the command's help, exit 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Bad input a command reports as lines on stderr, exit 1. */
class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

function fail(lines: string[]): never {
  throw new CommandFailed(lines);
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

/** Problems of input files, one a line; `more` counts those left out of a long list. */
function problemsOrFail(problems: InputProblem[], more = 0) {
  const lines = problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
  if (more) lines.push(`… and ${more.toLocaleString('en-US')} more problems`);
  if (lines.length) fail(lines);
}

function parseUntil(text: string, startMs: number | undefined): number {
  // A time with its offset, as events have (RFC 3339): one without would be read in the host's zone.
  if (isRfc3339(text)) return Date.parse(text);
  if (/^\d{4}-/.test(text))
    throw new UsageError(
      `--until takes an RFC 3339 time with its offset (2026-11-20T19:30:00Z) or an ISO 8601 duration (PT2H), found ${text}`,
    );
  const seconds = durationSeconds(text);
  if (seconds === undefined)
    throw new UsageError(`--until takes an RFC 3339 time or an ISO 8601 duration, found ${text}`);
  return (startMs ?? Date.now()) + seconds * 1000;
}

const consoleLog = (io: CliIo): Logger => ({
  info: (m, e) => io.err(`${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
  warn: (m, e) => io.err(`warn: ${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
  error: (m, e) => io.err(`error: ${m}${e ? ` ${JSON.stringify(e)}` : ''}\n`),
});

function validate(io: CliIo, paths: string[]): void {
  const given = paths.length ? paths : ['workflows'];
  const { loaded, failures } = loadJourneys(given, WITH_TEMPLATES);
  if (failures.length) fail(formatProblems(failures));
  // Nothing to check is not a pass: a wrong folder (templates/, an empty one) would look like one.
  if (!loaded.length) fail([`baton: no journey files (*.json) in ${given.join(', ')}`]);
  io.out(
    `${loaded.length} journey${loaded.length === 1 ? '' : 's'} valid: ${loaded.map((l) => l.journey.id).join(', ')}\n`,
  );
}

function compile(io: CliIo, journey: string, opts: { run?: boolean }): void {
  const file = journeyPath(journey);
  const r = loadJourneyFile(file, WITH_TEMPLATES);
  if (!r.ok) fail(formatProblems([{ file, problems: r.problems }]));
  if (opts.run && !r.loaded.journey.audience)
    throw new UsageError(`--run prints the runs of an audience journey, and ${r.loaded.journey.id} has a trigger`);
  io.out(renderAsl(opts.run ? compileRun(r.loaded.journey) : compileJourney(r.loaded.journey)));
}

async function graph(io: CliIo, journey: string, opts: { format: 'mermaid' | 'svg' }): Promise<void> {
  const file = journeyPath(journey);
  const r = loadJourneyFile(file, WITH_TEMPLATES);
  if (!r.ok) fail(formatProblems([{ file, problems: r.problems }]));
  const g = journeyGraph(r.loaded.journey);
  io.out(opts.format === 'svg' ? await graphSvg(g) : renderMermaid(g));
}

interface SimulateOptions {
  events?: string;
  profiles?: string;
  until?: string;
  report?: 'text' | 'json';
}

async function runSimulate(io: CliIo, paths: string[], values: SimulateOptions): Promise<void> {
  const journeys = loadOrFail(paths.map(journeyPath));
  if (!values.events && !journeys.some((l) => l.journey.audience))
    throw new UsageError('--events is required: only audience journeys run without events');
  // Long runs show how far they are, on a terminal only (never in piped output).
  const line = io.errIsTty ? new ProgressLine((t) => io.err(t)) : undefined;
  // Every line of both files is checked before anything runs; the run then streams them.
  const eventsFile = values.events;
  const events = eventsFile
    ? await checkEventFile(eventsFile, {
        onProgress: line && ((f) => line.show(() => `checking ${eventsFile}… ${Math.floor(f * 100)}%`)),
      })
    : undefined;
  const profiles = values.profiles ? await checkProfileFile(values.profiles) : undefined;
  line?.clear();
  problemsOrFail(
    [...(events?.problems.items ?? []), ...(profiles?.items ?? [])],
    (events?.problems.more ?? 0) + (profiles?.more ?? 0),
  );
  if (!values.profiles)
    io.err('note: no --profiles: sends will find no profiles (no address, no consent), so every send is suppressed\n');
  else if (statSync(values.profiles).size === 0)
    io.err(`note: ${values.profiles} is empty: sends will find no profiles, so every send is suppressed\n`);
  if (eventsFile && events?.count === 0) io.err(`note: ${eventsFile} holds no events: no trigger starts a journey\n`);
  // A duration in --until counts from where the simulation starts: the first event, or an earlier first run.
  const firstRun = firstRunAt(journeys.map((l) => l.journey));
  const first = events?.first === undefined ? firstRun : Math.min(events.first, firstRun ?? Number.POSITIVE_INFINITY);
  const until = values.until ? parseUntil(values.until, first) : undefined;
  const began = Date.now();
  let fraction = 0;
  const out = new BufferedOutput((text) => io.out(text));
  const funnel = values.report === 'text' ? new FunnelCounts() : undefined;
  // The json report is read from the results' counters before the run's store closes (the API's code).
  let report: ResultsReport | undefined;
  const inspect =
    values.report === 'json'
      ? async (rt: LocalRuntime) => {
          report = await resultsReport(
            rt.deps,
            journeys.map((l) => l.journey),
          );
        }
      : undefined;
  const { late } = await simulate({
    journeys,
    events: events
      ? replayEvents(events, {
          onProgress: (f) => {
            fraction = f;
          },
        })
      : [],
    profiles: values.profiles ? profileStream(values.profiles) : [],
    until,
    onLine: (l) => {
      out.write(`${JSON.stringify(l)}\n`);
      funnel?.add(l);
    },
    onProgress:
      line &&
      ((virtualMs, n) =>
        line.show(() => progressText({ fraction, events: n, elapsedMs: Date.now() - began, virtualMs }))),
    inspect,
  }).catch((err: unknown) => {
    throw err instanceof EndlessScheduleError ? new UsageError(err.message) : err;
  });
  line?.clear();
  if (funnel) out.write(`\n${funnel.render()}`);
  if (report) out.write(`${JSON.stringify(report)}\n`);
  out.end();
  if (late) io.err(`warn: ${late} lines came after a line with a later time and are printed out of order\n`);
}

interface DevValues {
  workflows: string;
  profiles?: string;
  dataDir: string;
  port: string;
  speed: string;
  resetClock?: boolean;
  migrateStore?: boolean;
}

async function runDev(io: CliIo, values: DevValues): Promise<void> {
  const port = Number(values.port);
  const speed = Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port takes 0-65535, found ${values.port}`);
  if (!(speed > 0 && speed <= MAX_SPEED))
    throw new UsageError(
      `--speed takes a number above 0 and at most ${MAX_SPEED.toLocaleString('en-US')} (a year in about 32 s), found ${values.speed}`,
    );
  const { loaded, failures } = loadJourneys([values.workflows], WITH_TEMPLATES);
  for (const line of formatProblems(failures)) io.err(`not loaded: ${line}\n`);
  const pr = values.profiles ? readProfiles(values.profiles) : { profiles: [], problems: [] };
  problemsOrFail(pr.problems);
  const dataDir = resolve(values.dataDir);
  const dev = await startDev({
    journeys: loaded,
    workflowsDir: values.workflows,
    profiles: pr.profiles,
    dataDir,
    port,
    speed,
    resetClock: values.resetClock,
    migrateLegacyStore: values.migrateStore,
    log: consoleLog(io),
  });
  const banner = devBanner({
    port: dev.port,
    journeyIds: loaded.map((l) => l.journey.id),
    dataDir,
    speed,
    clockStart: dev.clockStart,
    seed: dev.seed,
    profilesFile: values.profiles,
  });
  for (const note of banner.notes) io.err(`${note}\n`);
  io.out(banner.lines.map((l) => `${l}\n`).join(''));
  const stop = () => {
    void dev.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

interface PreviewValues {
  customer: string;
  profiles?: string;
  dataDir: string;
  step?: string;
  trigger?: string;
  json?: boolean;
}

/** The customer's profile: from --profiles when given, else from the data dir of baton dev. */
async function previewProfile(values: PreviewValues): Promise<Profile> {
  if (values.profiles) {
    const pr = readProfiles(values.profiles);
    problemsOrFail(pr.problems);
    const found = pr.profiles.find((p) => p.customerId === values.customer);
    if (!found) fail([`baton: no profile for customer ${values.customer} in ${values.profiles}`]);
    return found;
  }
  // Preview only reads: a folder that holds no store is not made one.
  if (!existsSync(join(values.dataDir, STORE_FILE)))
    throw new UsageError(`no data dir ${values.dataDir}: give --profiles FILE, or --data-dir DIR of baton dev`);
  const store = await openLocalStore({ path: resolve(values.dataDir) }).catch((err: unknown) => {
    throw err instanceof DataDirLockedError
      ? new UsageError(
          `the data dir ${values.dataDir} is in use by baton dev (process ${err.pid}): use the console's preview panel, or stop baton dev first`,
        )
      : err;
  });
  try {
    const found = await getProfile(store.table, values.customer);
    if (!found) fail([`baton: no profile for customer ${values.customer} in ${values.dataDir}`]);
    return found;
  } finally {
    await store.close();
  }
}

/** The trigger event of --trigger (a JSON envelope), as templates see it: without customerId. */
function previewTrigger(file: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    fail([`baton: --trigger ${file} is not a readable JSON event: ${(err as Error).message}`]);
  }
  if (!event || typeof event !== 'object' || Array.isArray(event))
    fail([`baton: --trigger ${file} must hold one JSON object (an event envelope)`]);
  const { customerId: _omit, ...trigger } = event as Record<string, unknown>;
  return { ...trigger, data: trigger.data ?? {} };
}

async function preview(io: CliIo, journey: string, values: PreviewValues): Promise<number> {
  const file = journeyPath(journey);
  const r = loadJourneyFile(file, WITH_TEMPLATES);
  if (!r.ok) fail(formatProblems([{ file, problems: r.problems }]));
  const profile = await previewProfile(values);
  const trigger = values.trigger ? previewTrigger(values.trigger) : undefined;
  const messages = await previewSends({
    journey: r.loaded.journey,
    templatesDir: r.loaded.templatesDir,
    profile,
    trigger,
    step: values.step,
  }).catch((err: unknown) => {
    throw err instanceof PreviewStepError ? new UsageError(`--step: ${err.message}`) : err;
  });
  const text = previewText(r.loaded.journey.id, values.customer, messages);
  io.out(
    values.json
      ? `${JSON.stringify({ journey: r.loaded.journey.id, customerId: values.customer, messages }, null, 2)}\n`
      : text.lines.map((l) => `${l}\n`).join(''),
  );
  // 3, as import's: something to finish by hand (a variable that renders empty, a template that fails).
  return text.flagged ? 3 : 0;
}

interface PinpointValues {
  out: string;
  templates?: string;
  force?: boolean;
  json?: boolean;
}

function importPinpoint(io: CliIo, files: string[], values: PinpointValues): number {
  const run = runPinpointImport({ files, out: values.out, templates: values.templates, force: values.force });
  for (const e of run.errors) io.err(`${e}\n`);
  if (values.json) {
    const { journeys, files: written, report, unreadable } = run.result;
    const summary = {
      exitCode: run.exitCode,
      journeys: journeys.map((j) => ({ id: j.id, source: j.report.source, steps: j.steps })),
      files: written.map((f) => f.path),
      report,
      unreadable,
    };
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
  } else io.out(run.lines.map((l) => `${l}\n`).join(''));
  return run.exitCode;
}

/**
 * An option given no value takes the next argument as its value, even another option (`--out
 * --force` wrote a folder named `--force`): a value that starts with `--` is refused as missing.
 */
function refuseOptionsAsValues(command: Command): void {
  for (const option of command.options) {
    const value = command.getOptionValue(option.attributeName());
    if (typeof value === 'string' && value.startsWith('--') && option.required)
      throw new UsageError(`${option.long} needs a value, and found the option ${value} after it`);
  }
}

/** The commands; an action that ends with an exit code of its own (preview, import) hands it to `setCode`. */
function program(io: CliIo, setCode: (code: number) => void = () => undefined): Command {
  const baton = new Command('baton')
    .description('Cross-channel customer journeys: check, compile and simulate them, and run them locally.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .showSuggestionAfterError(true)
    // Errors are printed by main's catch, one line each, with the exit code it chooses.
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => undefined })
    .exitOverride()
    .hook('preAction', (_baton, command) => refuseOptionsAsValues(command));
  baton
    .command('validate')
    .description('check journeys; exit 1 and file:/pointer: message per problem')
    .argument('[paths...]', 'journey files or folders', [])
    .action((paths: string[]) => validate(io, paths));
  baton
    .command('compile')
    .description('print the ASL document that is deployed')
    .argument('<journey>', 'a journey file, or the id of a journey in workflows/')
    .option('--run', "an audience journey's runs: the state machine that lists and enters its members")
    .action((journey: string, opts: { run?: boolean }) => compile(io, journey, opts));
  baton
    .command('graph')
    .description('the journey as a diagram')
    .argument('<journey>', 'a journey file, or the id of a journey in workflows/')
    .addOption(new Option('--format <format>', 'diagram format').choices(['mermaid', 'svg']).default('mermaid'))
    .action((journey: string, opts: { format: 'mermaid' | 'svg' }) => graph(io, journey, opts));
  baton
    .command('simulate')
    .description('run journeys in virtual time; one JSON line per happening')
    .argument('<journeys...>', 'journey files, or ids of journeys in workflows/')
    .option('--events <file>', 'events to replay, one JSON envelope a line (optional for audience journeys)')
    .option('--profiles <file>', 'customer profiles (.json array or .jsonl); without it, sends find no profile')
    .option('--until <time|duration>', 'stop at this RFC 3339 time, or this long after the start (first event or run)')
    .addOption(
      new Option('--report [format]', 'after the lines, the results: a per-step funnel (text) or one JSON line (json)')
        .choices(['text', 'json'])
        .preset('text'),
    )
    .action((journeys: string[], opts: SimulateOptions) => runSimulate(io, journeys, opts));
  baton
    .command('dev')
    .description('the local engine, HTTP API and console on 127.0.0.1 (what npm start runs)')
    .option('--workflows <dir>', 'journeys to serve, reloaded on change', 'workflows')
    .option('--profiles <file>', 'customer profiles to seed a new data dir with (ignored on one that holds data)')
    .option('--data-dir <dir>', 'where the data lives, across restarts', '.baton/data')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', '3000')
    .option('--speed <n>', 'run the engine clock n times faster than real time', '1')
    .option('--reset-clock', "start engine time over at real time instead of where this data dir's last run left it")
    .option('--migrate-store', "copy a data dir written by Baton's earlier store (dynalite) into the current one")
    .action((opts: DevValues) => runDev(io, opts));
  baton
    .command('preview')
    .description(
      "render a journey's send steps for one customer, every channel each may use; variables that render empty are listed with file and line (exit 3)",
    )
    .argument('<journey>', 'a journey file, or the id of a journey in workflows/')
    .requiredOption('--customer <id>', 'the customer whose profile the templates are rendered with')
    .option('--profiles <file>', 'read the profile from this file (.json array or .jsonl) instead of the data dir')
    .option('--data-dir <dir>', 'read the profile from the data dir of baton dev (not while it runs)', '.baton/data')
    .option('--step <id>', 'only this send step')
    .option(
      '--trigger <file>',
      'the trigger event to render with (one JSON envelope); without it trigger.data is empty',
    )
    .option('--json', 'print the messages as one JSON object')
    .action(async (journey: string, opts: PreviewValues) => setCode(await preview(io, journey, opts)));
  baton
    .command('import')
    .description('bring journeys over from another tool')
    .command('pinpoint')
    .description(
      'write Baton journeys and templates from Amazon Pinpoint journeys (aws pinpoint get-journey output); exit 0 all mapped, 3 something to finish by hand (listed with its pointer), 1 unreadable input',
    )
    .argument(
      '<files...>',
      'journeys (get-journey, list-journeys, or a WriteJourneyRequest), and templates or segments to use',
    )
    .option('--out <dir>', 'where to write the journeys (templates go in its templates/)', 'workflows')
    .option(
      '--templates <dir>',
      'a folder of exported templates (get-email-template, get-sms-template, get-push-template) and segments (get-segment)',
    )
    .option('--force', 'overwrite files that exist and differ')
    .option('--json', 'print what was written and the report as one JSON object')
    .action((files: string[], opts: PinpointValues) => setCode(importPinpoint(io, files, opts)));
  baton
    .command('schema')
    .description('print the JSON Schema of journey files')
    .action(() => {
      io.out(`${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
    });
  return baton;
}

/** The help to point at: the command's own when the first words name one (`import pinpoint`). */
function helpHint(cli: Command, argv: string[]): string {
  const names: string[] = [];
  let command = cli;
  for (const word of argv) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    names.push(word);
    command = sub;
  }
  return names.length ? `run baton ${names.join(' ')} --help for its usage` : 'run baton --help for the commands';
}

/** Runs `baton` with these arguments; the exit code comes back, the process is left alone. */
export async function main(argv: string[], io: CliIo): Promise<CliExit> {
  let code = 0;
  const cli = program(io, (c) => {
    code = c;
  });
  if (!argv.length) {
    io.out(cli.helpInformation());
    return { code: 0, failed: false };
  }
  try {
    await cli.parseAsync(argv, { from: 'user' });
    return { code, failed: false };
  } catch (err) {
    const code = failure(io, argv, err);
    return { code, failed: code !== 0 };
  }
}

/** What the file system refused of a path (a missing --events file, a data dir it may not write), said in a line. */
function fileProblem(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  const why = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'not permitted',
    EROFS: 'a read-only file system',
    EISDIR: 'a directory, not a file',
    ENOTDIR: 'not a directory',
    EEXIST: 'a file where a folder is needed',
  }[e?.code ?? ''];
  // As Unix tools say it (`cat: x: No such file or directory`): the same words whether it was read or written.
  return why && e?.path ? `${e.path}: ${why}` : undefined;
}

/** What an error ending a command prints, and its exit code. */
function failure(io: CliIo, argv: string[], err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, their text already printed.
    if (err.exitCode === 0) return 0;
    // A group of commands (`baton import`) used without one: commander has printed its help.
    if (err.code === 'commander.help') return 2;
    const unknown = err.code === 'commander.unknownCommand' || err.code === 'commander.unknownOption';
    // One line: commander puts its "(Did you mean ...?)" on a line of its own.
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    io.err(`baton: ${message}\n${helpHint(program(io), argv)}\n`);
    return unknown ? 1 : 2;
  }
  if (err instanceof CommandFailed) {
    for (const l of err.lines) io.err(`${l}\n`);
    return 1;
  }
  if (err instanceof UsageError) {
    io.err(`baton: ${err.message}\n${helpHint(program(io), argv)}\n`);
    return 2;
  }
  const unreadable = fileProblem(err);
  if (unreadable) {
    io.err(`baton: ${unreadable}\n${helpHint(program(io), argv)}\n`);
    return 2;
  }
  if (
    err instanceof DataDirInUseError ||
    err instanceof PortInUseError ||
    err instanceof LegacyStoreError ||
    err instanceof ClockOutOfRangeError
  ) {
    io.err(`baton: ${err.message}\n`);
    return 1;
  }
  io.err(`baton: ${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
