import type { LabOptions } from './startLab';

export const labUsage = `Usage: npm start -- [options]

  --devices N        register N simulated devices at start (each raises DeviceCreated)
  --edge-every N     make every Nth seeded device an IoT Edge device
  --port N           HTTP port of the Functions host (default 7071; 0 = any free port)
  --hub-port N       loopback port of the simulated IoT Hub (default: any free port)
  --tier T           simulated hub tier for throttling: F1, S1, S2, S3 (default S1); or 'none'
  --units N          simulated hub units (default 1)
  --fault-rate R     share (0..1) of hub calls that fail with 429 or 503 (default 0)
  --state-dir DIR    where lab.json and the hub certificate go (default .lab)
  --set KEY=VALUE    an app setting, e.g. --set DEVICE_ID_PATTERN='sensor-.*' (repeatable)
  --help             this text`;

/** Parses the lab's command line; throws an Error naming the bad option. */
export function parseLabArguments(argv: readonly string[]): LabOptions & { help?: true } {
  const options: { -readonly [K in keyof LabOptions]: LabOptions[K] } & { help?: true } = {};
  const settings: Record<string, string> = {};
  let tier: string | undefined;
  let units: number | undefined;
  const integer = (flag: string, raw: string | undefined, min: number): number => {
    const value = Number(raw);
    if (raw === undefined || !Number.isInteger(value) || value < min) throw new Error(`${flag} needs a whole number ≥ ${min}, got ${raw ?? 'nothing'}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const next = () => argv[++i];
    switch (flag) {
      case '--devices':
        options.devices = integer(flag, next(), 0);
        break;
      case '--edge-every':
        options.edgeEvery = integer(flag, next(), 1);
        break;
      case '--port':
        options.httpPort = integer(flag, next(), 0);
        break;
      case '--hub-port':
        options.hubPort = integer(flag, next(), 0);
        break;
      case '--tier':
        tier = next()?.toUpperCase();
        break;
      case '--units':
        units = integer(flag, next(), 1);
        break;
      case '--fault-rate': {
        const raw = next();
        const rate = Number(raw);
        if (raw === undefined || !(rate >= 0 && rate <= 1)) throw new Error(`--fault-rate needs a number from 0 to 1, got ${raw ?? 'nothing'}`);
        if (rate > 0) options.faults = { errorRate: rate, statuses: [429, 503], seed: 7 };
        break;
      }
      case '--state-dir': {
        const dir = next();
        if (dir === undefined) throw new Error('--state-dir needs a folder');
        options.stateDir = dir;
        break;
      }
      case '--set': {
        const pair = next() ?? '';
        const at = pair.indexOf('=');
        if (at <= 0) throw new Error(`--set needs KEY=VALUE, got ${pair || 'nothing'}`);
        settings[pair.slice(0, at)] = pair.slice(at + 1);
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (tier === 'NONE') {
    options.throttle = false;
  } else if (tier !== undefined || units !== undefined) {
    const chosen = tier ?? 'S1';
    if (!['F1', 'S1', 'S2', 'S3'].includes(chosen)) throw new Error(`--tier must be F1, S1, S2, S3 or none, got ${chosen}`);
    options.throttle = { tier: chosen as 'F1' | 'S1' | 'S2' | 'S3', units: units ?? 1 };
  }
  if (Object.keys(settings).length > 0) options.settings = settings;
  return options;
}
