// `npm start` (through launch.cjs): runs the lab until Ctrl-C. Loads the functions-core stand-in first,
// exactly as the Node worker injects @azure/functions-core before the app's modules run.
import './hideKnownDeprecation';
import '../functionsHost/installFunctionsCore';
import { LabArgumentError, labUsage, parseLabArguments, type LabCommand } from './labArguments';
import { displayPath, labBanner } from './labBanner';
import { LabConsole } from './labConsole';
import { driftTally } from './driftTally';
import { labProgressReader } from './labProgress';
import { labStateFiles, LabStateInUseError, LabStateUnreadableError } from './labState';
import { PortUnavailableError } from './portUnavailableError';
import { startLab, type Lab } from './startLab';

/** Exit code of a command line or environment the lab refuses (as the usage errors of most CLIs). */
const refused = 2;

async function main(): Promise<void> {
  let command: LabCommand;
  try {
    command = parseLabArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof LabArgumentError)) throw error;
    process.stderr.write(`npm start: ${error.message}\n`);
    process.exit(refused);
  }
  if (command.help) {
    process.stdout.write(`${labUsage()}\n`);
    return;
  }

  const output = await LabConsole.create({ verbose: command.verbose, interactive: process.stdout.isTTY === true });
  const drift = driftTally();
  let lab: Lab;
  try {
    lab = await startLab({ sweepEveryMs: 60_000, ...command.lab, logger: drift.logger(output) });
  } catch (error) {
    const problem = startProblem(error);
    if (problem !== undefined) {
      output.error(`npm start: ${problem}`);
      process.exit(refused);
    }
    output.error(`The lab could not start: ${firstLine(error)}${command.verbose ? '' : ' (--verbose shows the stack trace)'}`, error);
    process.exit(1);
  }

  output.print(labBanner(lab, command.lab.settings));
  output.follow(labProgressReader(lab, drift.counts));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      output.error(`${signal} again: stopping at once; the hub's state is as last saved.`);
      process.exit(130);
    }
    stopping = true;
    output.stop();
    const undelivered = lab.eventRoutes.reduce((sum, { delivery }) => {
      const stats = delivery.stats();
      return sum + stats.published - stats.delivered - stats.deadLettered;
    }, 0);
    output.print(`${signal}: stopping the lab${undelivered > 0 ? ` (${undelivered} events not delivered yet: those in flight get their answer first)` : ''}...`);
    lab.stop().then(
      ({ undeliveredEvents }) => {
        const kept = undeliveredEvents > 0 ? `, and the ${undeliveredEvents} events still undelivered,` : '';
        output.print(`Lab stopped. The hub and the tables${kept} are kept in ${displayPath(lab.stateFiles.dir)} for the next start; lab.json is removed.`);
        process.exit(0);
      },
      (error: unknown) => {
        output.error(`Lab did not stop cleanly: ${firstLine(error)}`, error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** One line for what the person starting the lab can fix, naming the option to change; undefined for anything else. */
function startProblem(error: unknown): string | undefined {
  if (error instanceof PortUnavailableError) {
    const option = error.listener === 'functionsHost' ? '--port' : '--hub-port';
    const cause = error.reason === 'in-use' ? 'is in use: stop what uses it or' : 'cannot be opened here (permission denied):';
    return `port ${error.port} ${cause} pick another with ${option} N (0 = any free port)`;
  }
  if (error instanceof LabStateInUseError) {
    const labJson = displayPath(labStateFiles(error.dir).labJson);
    return `another lab (pid ${error.pid}) is running with the state folder ${displayPath(error.dir)}: stop it, or give this one another --state-dir (no lab running? delete ${labJson})`;
  }
  if (error instanceof LabStateUnreadableError) return `${error.message}: start with --fresh to discard the saved state`;
  return undefined;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}

main().catch((error: unknown) => {
  process.stderr.write(`The lab failed: ${firstLine(error)}\n${error instanceof Error ? (error.stack ?? '') : ''}\n`);
  process.exit(1);
});
