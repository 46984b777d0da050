import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { SIM_START, NS_PER_SEC, type SimTime } from '@shadow-ts/plugin-sdk';
import { ConfigError, UnitError, loadSimulationConfig, parseTime, type ConfigOverrides } from './config/index.js';
import { ShadowError } from './kernel/errors.js';
import { loadRc } from './loader/rc.js';
import { createLogger } from './log.js';
import { runSimulation } from './simulation.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const BOOLEAN = ['true', 'false'];

function program(): Command {
  return new Command('shadow')
    .description('Run real Linux programs on a simulated network, in simulated time (Shadow-compatible).')
    .version(VERSION, '-V, --version')
    .argument('<config>', "simulation file (Shadow's YAML format); '-' reads it from stdin")
    .option('-d, --data-directory <path>', 'where outputs go (default: general.data_directory, "shadow.data")')
    .option('--seed <n>', 'seed of every random stream (default: general.seed, 1)')
    .option('--stop-time <time>', 'simulated time at which the simulation ends, e.g. "10 min"')
    .addOption(new Option('-l, --log-level <level>', 'log level').choices(['error', 'warning', 'info', 'debug', 'trace']))
    .option('--progress', 'show a progress bar of simulated time on stderr')
    .option('--no-progress', 'no progress bar, whatever the file says')
    .option('--model-unblocked-syscall-latency', 'advance time a little on every syscall that does not block')
    .option('--no-model-unblocked-syscall-latency', 'do not model syscall latency, whatever the file says')
    .addOption(new Option('--use-cpu-pinning <bool>', 'pin the simulator and its processes to one CPU').choices(BOOLEAN))
    .addOption(new Option('--native-preemption-enabled <bool>', 'preempt a thread that computes without syscalls (not deterministic)').choices(BOOLEAN))
    .option('--native-preemption-native-interval <time>', 'CPU time a thread may run without a syscall before it is preempted (default 100 ms)')
    .option('--native-preemption-sim-interval <time>', 'simulated time charged per preemption (default 10 ms)')
    .option('--watchdog <time>', 'wall time a task may run without a stop before it is reported and killed, or preempted (default 10 s; 0: off)')
    .option('--vfork <strategy>', 'how vfork is simulated: as-fork (default), native, reject, or a plugin\'s strategy')
    .option('--show-config', 'print the processed configuration and exit')
    .showHelpAfterError('(run shadow --help for usage)');
}

interface CliOptions {
  dataDirectory?: string;
  seed?: string;
  stopTime?: string;
  logLevel?: string;
  progress?: boolean;
  modelUnblockedSyscallLatency?: boolean;
  useCpuPinning?: string;
  nativePreemptionEnabled?: string;
  nativePreemptionNativeInterval?: string;
  nativePreemptionSimInterval?: string;
  watchdog?: string;
  vfork?: string;
  showConfig?: boolean;
}

function overrides(o: CliOptions): ConfigOverrides {
  return {
    ...(o.dataDirectory !== undefined && { dataDirectory: o.dataDirectory }),
    ...(o.seed !== undefined && { seed: o.seed }),
    ...(o.stopTime !== undefined && { stopTime: o.stopTime }),
    ...(o.logLevel !== undefined && { logLevel: o.logLevel }),
    ...(o.progress !== undefined && { progress: o.progress }),
    ...(o.modelUnblockedSyscallLatency !== undefined && { modelUnblockedSyscallLatency: o.modelUnblockedSyscallLatency }),
    ...(o.useCpuPinning !== undefined && { useCpuPinning: o.useCpuPinning === 'true' }),
    ...(o.nativePreemptionEnabled !== undefined && { nativePreemptionEnabled: o.nativePreemptionEnabled === 'true' }),
    ...(o.nativePreemptionNativeInterval !== undefined && { nativePreemptionNativeInterval: o.nativePreemptionNativeInterval }),
    ...(o.nativePreemptionSimInterval !== undefined && { nativePreemptionSimInterval: o.nativePreemptionSimInterval }),
  };
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

/** A progress bar of simulated seconds on stderr (Shadow's `general.progress`). */
function progressBar(stopTime: bigint): { update(now: SimTime): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      format: 'simulated {value}/{total} s [{bar}] {percentage}%',
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Number(stopTime / NS_PER_SEC), 0);
  return {
    update: (now) => bar.update(Number((now - SIM_START) / NS_PER_SEC)),
    // The bar's redraw timer keeps the event loop alive: it must be stopped for the CLI to exit.
    stop: () => bar.stop(),
  };
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const cmd = program();
  cmd.parse(argv);
  const file = cmd.args[0]!;
  const options = cmd.opts<CliOptions>();
  try {
    const config = loadSimulationConfig(file, overrides(options));
    if (options.showConfig) {
      process.stdout.write(`${JSON.stringify(config.document, null, 2)}\n`);
      return 0;
    }
    const watchdog = options.watchdog === undefined ? undefined : cliTime('--watchdog', options.watchdog);
    const rc = await loadRc(file === '-' ? process.cwd() : dirname(resolve(file)));
    let simClock: (() => SimTime) | null = null;
    const log = createLogger(config.general.logLevel, () => simClock?.() ?? null);
    log.info(`Starting shadow-ts ${VERSION} with ${config.source}`);
    // No SIGINT/SIGTERM handlers: the simulator may sit in waitpid for a program that never makes
    // a syscall, where a JS handler would never run. The default action ends the simulator, and
    // PTRACE_O_EXITKILL takes every managed process with it.
    const progress = config.general.progress ? progressBar(config.general.stopTime) : null;
    let lastYield = process.hrtime.bigint();
    const run = runSimulation({
      config,
      rc,
      log,
      ...(options.vfork !== undefined && { vfork: options.vfork }),
      ...(watchdog !== undefined && { watchdog }),
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
      return 1;
    }
    throw error;
  }
}
