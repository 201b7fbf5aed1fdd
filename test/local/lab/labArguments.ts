// The lab's command line, parsed by node:util parseArgs: each bad value is refused with one message that
// names its option. The usage text lives in usage.txt, which the launcher prints for --help before anything
// is compiled; a unit test keeps it and `labOptionDefinitions` in step.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { throttleLimits, type HubTier } from '../iothubSimulator';
import { nearestName } from '../../../src/domain/nearestName';
import { unknownSettingProblem } from './appSettingNames';
import { parseLabPrincipal } from '../functionsHost/labPrincipal';
import type { LabOptions } from './startLab';

export const labOptionDefinitions = {
  devices: { type: 'string' },
  'edge-every': { type: 'string' },
  port: { type: 'string' },
  'hub-port': { type: 'string' },
  tier: { type: 'string' },
  units: { type: 'string' },
  'fault-rate': { type: 'string' },
  agents: { type: 'string' },
  'rejecting-agents': { type: 'string' },
  'offline-agents': { type: 'string' },
  'sweep-every': { type: 'string' },
  'state-dir': { type: 'string' },
  fresh: { type: 'boolean' },
  set: { type: 'string', multiple: true },
  principal: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type LabCommandOptions = Omit<LabOptions, 'logger' | 'projectRoot' | 'functionModules'>;

export interface LabCommand {
  readonly help: boolean;
  readonly verbose: boolean;
  readonly lab: LabCommandOptions;
}

/** A command line the lab refuses; the message names the option and fits on one line. */
export class LabArgumentError extends Error {
  override readonly name = 'LabArgumentError';
}

/** usage.txt, next to this file's source (the compiled file runs from dist/). */
export function labUsage(): string {
  const sourceFolder = __filename.endsWith('.ts') ? __dirname : resolve(__dirname, '../../../../test/local/lab');
  return readFileSync(join(sourceFolder, 'usage.txt'), 'utf8').trimEnd();
}

const tiers: readonly HubTier[] = ['F1', 'S1', 'S2', 'S3'];

/** Parses the lab's command line; throws a LabArgumentError naming the bad option. */
export function parseLabArguments(argv: readonly string[]): LabCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new LabArgumentError(describeParseError(error));
  }
  const lab: { -readonly [K in keyof LabCommandOptions]: LabCommandOptions[K] } = {};
  if (values.devices !== undefined) lab.devices = wholeNumber('--devices', values.devices, 0, 10_000_000);
  if (values['edge-every'] !== undefined) lab.edgeEvery = wholeNumber('--edge-every', values['edge-every'], 1, Number.MAX_SAFE_INTEGER);
  if (values.port !== undefined) lab.httpPort = port('--port', values.port);
  if (values['hub-port'] !== undefined) lab.hubPort = port('--hub-port', values['hub-port']);

  const tier = values.tier?.toUpperCase();
  const units = values.units === undefined ? undefined : wholeNumber('--units', values.units, 1, 200);
  if (tier === 'NONE') {
    if (units !== undefined) throw new LabArgumentError('--units has no meaning with --tier none (no throttling)');
    lab.throttle = false;
  } else if (tier !== undefined || units !== undefined) {
    const chosen = tier ?? 'S1';
    if (!tiers.includes(chosen as HubTier)) throw new LabArgumentError(`--tier must be F1, S1, S2, S3 or none, got ${values.tier ?? ''}`);
    const config = { tier: chosen as HubTier, units: units ?? 1 };
    try {
      throttleLimits(config);
    } catch (error) {
      throw new LabArgumentError(`--units: ${(error as Error).message}`);
    }
    lab.throttle = config;
  }

  if (values['fault-rate'] !== undefined) {
    const raw = values['fault-rate'];
    const rate = Number(raw);
    if (raw.trim() === '' || !(rate >= 0 && rate <= 1)) throw new LabArgumentError(`--fault-rate needs a number from 0 to 1, got ${quoted(raw)}`);
    if (rate > 0) lab.faults = { errorRate: rate, statuses: [429, 503], seed: 7 };
  }
  const share = (flag: string, raw: string | undefined): number | undefined => {
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !(value >= 0 && value <= 1)) throw new LabArgumentError(`${flag} needs a share from 0 to 1, got ${quoted(raw)}`);
    return value;
  };
  const agentShare = share('--agents', values.agents);
  const rejecting = share('--rejecting-agents', values['rejecting-agents']);
  const offline = share('--offline-agents', values['offline-agents']);
  if (agentShare === undefined && (rejecting !== undefined || offline !== undefined)) {
    throw new LabArgumentError('--rejecting-agents and --offline-agents need --agents (the share of devices that run an agent)');
  }
  if (agentShare !== undefined && agentShare > 0) {
    lab.agents = { share: agentShare, rejectingShare: rejecting ?? 0, offlineShare: offline ?? 0, delayMs: 500, jitterMs: 1_500, seed: 7 };
  }
  if (values['sweep-every'] !== undefined) lab.sweepEveryMs = wholeNumber('--sweep-every', values['sweep-every'], 0, 86_400) * 1_000;
  if (values['state-dir'] !== undefined) {
    if (values['state-dir'].trim() === '') throw new LabArgumentError('--state-dir needs a folder');
    lab.stateDir = values['state-dir'];
  }
  if (values.fresh === true) lab.fresh = true;

  const settings: Record<string, string> = {};
  for (const pair of values.set ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new LabArgumentError(`--set needs KEY=VALUE, got ${quoted(pair)}`);
    const key = pair.slice(0, at);
    const problem = unknownSettingProblem(key);
    if (problem !== undefined) throw new LabArgumentError(`--set: ${problem}`);
    settings[key] = pair.slice(at + 1);
  }
  if (values.principal !== undefined) {
    try {
      lab.principal = parseLabPrincipal(values.principal);
    } catch (error) {
      throw new LabArgumentError(`--principal: ${(error as Error).message}`);
    }
    // A principal is only checked with app roles on; --set HTTP_AUTH_MODE=functionKey still turns them off.
    settings['HTTP_AUTH_MODE'] ??= 'appRoles';
  }
  if (Object.keys(settings).length > 0) lab.settings = settings;

  return { help: values.help === true, verbose: values.verbose === true, lab };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: labOptionDefinitions, strict: true, allowPositionals: false });
}

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new LabArgumentError(`${flag} needs a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, got ${quoted(raw)}`);
  }
  return value;
}

function port(flag: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 65_535) throw new LabArgumentError(`${flag} must be a port number from 0 to 65535 (0 = any free port), got ${quoted(raw)}`);
  return value;
}

function quoted(raw: string): string {
  return raw === '' ? 'nothing' : JSON.stringify(raw);
}

/** parseArgs' own messages suggest `--` syntax and name no alternative; say what to type instead. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  const known = Object.keys(labOptionDefinitions).map((name) => `--${name}`);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const suggestion = option === undefined ? undefined : nearestName(option, known);
      return `unknown option ${option ?? message}${suggestion === undefined ? ' (npm start -- --help lists the options)' : `; did you mean ${suggestion}?`}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (option !== undefined && /does not take an argument/.test(message)) return `${option} takes no value`;
      if (option !== undefined && /ambiguous/.test(message)) return `${option} needs a value (write ${option}=VALUE for a value that starts with -)`;
      return option === undefined ? message : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const argument = /'([^']*)'/.exec(message)?.[1] ?? '';
      return `unexpected argument ${quoted(argument)}: every option starts with -- (npm start -- --help lists them)`;
    }
    default:
      return message;
  }
}
