import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { SIM_START, NS_PER_SEC, type SimTime } from '@shadow-ts/plugin-sdk';
import { KEY_FLAGS, withBooleanValues } from './cli-flags.js';
import { ConfigError, UnitError, loadSimulationConfig, parseTime, type ConfigOverrides } from './config/index.js';
import { noOpNotes } from './config/no-ops.js';
import { toYaml } from './config/emit.js';
import { resolvedConfig } from './config/resolved.js';
import { yamlLibrary } from './config/yaml.js';
import { PluginError, ShadowError } from './kernel/errors.js';
import { loadRc, rcSettings } from './loader/rc.js';
import { createLogger } from './log.js';
import { beginCpuSample } from './placement.js';
import { runSimulation } from './simulation.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const BOOLEAN = ['true', 'false'];

/** Shadow's options that take no part in the simulation file, accepted with what they mean here. */
const NO_OP_FLAGS: readonly { flags: string; why: string }[] = [
  { flags: '-g, --gdb', why: 'managed processes are traced by the simulator already; attach a debugger to a native run instead' },
  { flags: '--debug-hosts <hostnames>', why: 'there is no pause-for-debugger mode' },
  { flags: '--shm-cleanup', why: 'the simulator makes no shared-memory files to clean up' },
];

function program(): Command {
  const cmd = new Command('shadow')
    .description('Run real Linux programs on a simulated network, in simulated time (Shadow-compatible).')
    .version(VERSION, '-V, --version')
    .argument('<config>', "simulation file (Shadow's YAML format); '-' reads it from stdin")
    .option('-d, --data-directory <path>', 'where outputs go (default: general.data_directory, "shadow.data")')
    .option('--seed <n>', 'seed of every random stream (default: general.seed, 1)')
    .option('--stop-time <time>', 'simulated time at which the simulation ends, e.g. "10 min"')
    .addOption(new Option('-l, --log-level <level>', 'log level').choices(['error', 'warning', 'info', 'debug', 'trace']));
  for (const flag of KEY_FLAGS) {
    const spec = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name} <${flag.boolean ? 'bool' : flag.value}>`;
    const option = new Option(spec, `sets ${flag.key}${flag.boolean ? '' : ` (${flag.value})`}`);
    cmd.addOption(flag.boolean ? option.choices(BOOLEAN) : option);
    if (flag.boolean) cmd.addOption(new Option(`--no-${flag.name}`, `the same as --${flag.name} false`).hideHelp());
  }
  for (const { flags, why } of NO_OP_FLAGS) cmd.option(flags, `accepted; no effect here: ${why}`);
  return cmd
    .option('--watchdog <time>', 'wall time a task may run without a stop before it is reported and killed, or preempted (default 10 s; 0: off)')
    .option('--vfork <strategy>', 'how vfork is simulated: as-fork (default), native, reject, or a plugin\'s strategy')
    .option('--show-config', 'print the whole configuration, defaults included, to stderr and exit')
    .option('--show-build-info', 'print the version and the build it runs on, and exit')
    .addHelpText('after', '\nshadow plot <data-dir> [-o <dir>] [--format svg|png|both]   draw a finished run (shadow plot --help)')
    .showHelpAfterError('(run shadow --help for usage)');
}

interface CliOptions {
  dataDirectory?: string;
  seed?: string;
  stopTime?: string;
  logLevel?: string;
  watchdog?: string;
  vfork?: string;
  showConfig?: boolean;
  showBuildInfo?: boolean;
  [flag: string]: unknown;
}

/** A value as the command line gave it, read as a YAML scalar would be (numbers, booleans, null). */
function scalar(text: string): unknown {
  const value: unknown = yamlLibrary().parse(text);
  return value !== null && typeof value === 'object' ? text : value;
}

function overrides(o: CliOptions): ConfigOverrides {
  const keys: Record<string, unknown> = {};
  for (const flag of KEY_FLAGS) {
    const value = o[camelCase(flag.name)];
    if (value !== undefined) keys[flag.key] = typeof value === 'boolean' ? value : scalar(String(value));
  }
  return {
    ...(o.dataDirectory !== undefined && { dataDirectory: o.dataDirectory }),
    ...(o.seed !== undefined && { seed: o.seed }),
    ...(o.stopTime !== undefined && { stopTime: o.stopTime }),
    ...(o.logLevel !== undefined && { logLevel: o.logLevel }),
    keys,
  };
}

/** commander's attribute name of a long option (`use-cpu-pinning` → `useCpuPinning`). */
function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A time given on the command line, or a ShadowError naming the flag. */
function cliTime(flag: string, value: string): bigint {
  try {
    return parseTime(value);
  } catch (error) {
    if (error instanceof UnitError) throw new ShadowError('CLI_INVALID', `${flag}: ${error.message}`);
    throw error;
  }
}

/** Seconds as `1h02m03s`, `2m05s` or `7s`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h${two(m)}m${two(s % 60)}s` : m > 0 ? `${m}m${two(s % 60)}s` : `${s}s`;
}

/**
 * A progress bar on stderr (Shadow's `general.progress`): simulated seconds, the wall time so far,
 * how much faster than real time the run goes, and when it will end at that pace. Wall time is
 * the CLI's to show; nothing in the simulation reads it.
 */
async function progressBar(stopTime: bigint): Promise<{ update(now: SimTime): void; stop(): void }> {
  // Loaded only for a run that shows it (17 modules).
  const cliProgress = (await import('cli-progress')).default;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      format: 'simulated {value}/{total} s [{bar}] {percentage}% | wall {wall} | {ratio}x real time | ETA {eta_wall}',
    },
    cliProgress.Presets.shades_classic,
  );
  const started = process.hrtime.bigint();
  const total = Number(stopTime) / 1e9;
  const figures = (simulated: number) => {
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const ratio = wall > 0 ? simulated / wall : 0;
    return { wall: duration(wall), ratio: ratio.toFixed(ratio >= 10 ? 0 : 2), eta_wall: ratio > 0 ? duration((total - simulated) / ratio) : '?' };
  };
  bar.start(Number(stopTime / NS_PER_SEC), 0, figures(0));
  return {
    update: (now) => {
      const simulated = Number(now - SIM_START) / 1e9;
      bar.update(Math.floor(simulated), figures(simulated));
    },
    // The bar's redraw timer keeps the event loop alive: it must be stopped for the CLI to exit.
    stop: () => bar.stop(),
  };
}

/** `shadow plot <data-dir>`: pictures of a finished run (plot.ts). */
async function plotCommand(argv: string[]): Promise<number> {
  const cmd = new Command('shadow plot')
    .description("Draw a finished run: per-host throughput (heartbeat.node.csv) and each TCP connection's RTT, window and bytes in flight (tcp.csv).")
    .argument('<data-dir>', 'the data directory of a run (shadow.data)')
    .option('-o, --output <dir>', 'where the pictures go (default: <data-dir>/plots)')
    .addOption(new Option('--format <format>', 'svg, png or both').choices(['svg', 'png', 'both']).default('both'))
    .showHelpAfterError('(run shadow plot --help for usage)');
  cmd.parse(argv.slice(0, 2).concat(argv.slice(3)));
  const { output, format } = cmd.opts<{ output?: string; format: 'svg' | 'png' | 'both' }>();
  try {
    const { plot } = await import('./plot.js');
    const result = await plot(cmd.args[0]!, {
      ...(output !== undefined && { outDir: output }),
      formats: format === 'both' ? ['svg', 'png'] : [format],
    });
    for (const note of result.notes) process.stderr.write(`shadow plot: ${note}\n`);
    for (const file of result.files) process.stdout.write(`${file}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ShadowError) {
      process.stderr.write(`shadow: error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[2] === 'plot') return plotCommand(argv);
  // Reading the CPUs' load now lets the sample use_cpu_pinning needs overlap loading the config.
  const cpuSample = beginCpuSample();
  const cmd = program();
  const booleans = new Set(KEY_FLAGS.filter((f) => f.boolean).map((f) => `--${f.name}`));
  if (argv.includes('--show-build-info')) {
    process.stdout.write(`shadow-ts ${VERSION} on Node.js ${process.versions.node} (${process.platform} ${process.arch})\n`);
    return 0;
  }
  cmd.parse(withBooleanValues(argv, booleans));
  const file = cmd.args[0]!;
  const options = cmd.opts<CliOptions>();
  let debugging = false;
  try {
    const config = loadSimulationConfig(file, overrides(options));
    debugging = config.general.logLevel === 'debug' || config.general.logLevel === 'trace';
    const rc = await loadRc(file === '-' ? process.cwd() : dirname(resolve(file)));
    if (options.showConfig) {
      // As Shadow: the whole configuration, defaults included, on stderr; nothing runs.
      process.stderr.write(toYaml(resolvedConfig(config, rcSettings(rc))));
      return 0;
    }
    const watchdog = options.watchdog === undefined ? undefined : cliTime('--watchdog', options.watchdog);
    let simClock: (() => SimTime) | null = null;
    const log = createLogger(config.general.logLevel, () => simClock?.() ?? null);
    log.info(`Starting shadow-ts ${VERSION} with ${config.source}`);
    for (const note of noOpNotes(config.document)) log.info(note);
    for (const { flags, why } of NO_OP_FLAGS) {
      const long = /--([a-z-]+)/.exec(flags)![1]!;
      if (options[camelCase(long)] !== undefined) log.info(`--${long} is accepted and has no effect: ${why}`);
    }
    // No SIGINT/SIGTERM handlers: the simulator may sit in waitpid for a program that never makes
    // a syscall, where a JS handler would never run. The default action ends the simulator, and
    // PTRACE_O_EXITKILL takes every managed process with it.
    const progress = config.general.progress ? await progressBar(config.general.stopTime) : null;
    let lastYield = process.hrtime.bigint();
    const run = runSimulation({
      config,
      rc,
      log,
      ...(options.vfork !== undefined && { vfork: options.vfork }),
      ...(watchdog !== undefined && { watchdog }),
      cpuSample,
      useClock: (clock) => (simClock = clock),
      onRound: progress?.update,
      // Wall time decides only when the CLI lets its event loop run (progress output),
      // never anything in the simulation.
      yieldToEventLoop: async () => {
        const wall = process.hrtime.bigint();
        if (wall - lastYield < 100_000_000n) return;
        lastYield = wall;
        await new Promise((r) => setImmediate(r));
      },
    });
    const result = await run.finally(() => progress?.stop());
    log.info(result.exitCode === 0 ? 'shadow-ts completed successfully' : 'shadow-ts did not complete successfully');
    return result.exitCode;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ShadowError) {
      process.stderr.write(`shadow: error: ${error.message}\n`);
      // At debug level a plugin's failure also shows where in the plugin it happened.
      const cause = error instanceof PluginError ? error.cause : undefined;
      if (debugging && cause instanceof Error && cause.stack) process.stderr.write(`shadow: plugin stack: ${cause.stack}\n`);
      return 1;
    }
    throw error;
  }
}
