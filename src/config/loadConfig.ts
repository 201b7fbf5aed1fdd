import { agentProfiles, isProfileId } from '../domain/agentProfiles';
import type { SettingValue } from '../domain/agentProfile';
import { compileDeviceSelector, type DeviceSelector } from '../domain/deviceSelector';
import { validateSettings } from '../domain/validateBaseline';
import type { Config, HubTier, IotHubCredentialConfig, StorageConfig } from './config';
import { ConfigError } from './configError';

type Env = Readonly<Record<string, string | undefined>>;

const hubTiers: readonly HubTier[] = ['F1', 'S1', 'S2', 'S3'];
const tableNamePattern = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * Reads every setting once and returns a frozen Config, or throws one ConfigError that names every bad
 * or missing key, so an operator fixes the app settings in one pass instead of one restart per key.
 */
export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}: '${raw}' is not a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const tableName = (name: string, fallback: string): string => {
    const value = text(name) ?? fallback;
    if (!tableNamePattern.test(value)) {
      problems.push(`${name}: '${value}' is not a valid table name (3-63 letters or digits, starting with a letter)`);
    }
    return value;
  };

  const iotHubCredential = readIotHubCredential(text, problems);
  const connectAddress = readConnectAddress(text('IOTHUB_CONNECT_ADDRESS'), problems);
  const caCertificatePath = text('IOTHUB_CA_CERTIFICATE_PATH');

  const tierText = (text('IOTHUB_TIER') ?? 'S1').toUpperCase();
  const tier = hubTiers.find((t) => t === tierText);
  if (tier === undefined) {
    problems.push(`IOTHUB_TIER: '${tierText}' is not one of ${hubTiers.join(', ')} (basic tiers have no twins)`);
  }

  const profileText = text('SECURITY_AGENT_PROFILE') ?? 'asc-classic';
  const agentProfile = isProfileId(profileText) ? profileText : undefined;
  if (agentProfile === undefined) {
    problems.push(`SECURITY_AGENT_PROFILE: '${profileText}' is not one of ${Object.keys(agentProfiles).join(', ')}`);
  }

  const baselineName = text('DEFAULT_BASELINE_NAME') ?? 'default';
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(baselineName)) {
    problems.push(`DEFAULT_BASELINE_NAME: '${baselineName}' must be 1-63 lower-case letters, digits or '-', starting with a letter or digit`);
  }
  const initialSettings = agentProfile === undefined ? {} : readInitialSettings(text('DEFAULT_BASELINE_SETTINGS'), agentProfile, problems);

  const deviceSelector = readDeviceSelector(text, problems);
  const storage = readStorage(text, problems);

  const config: Config = {
    iotHub: {
      credential: iotHubCredential ?? { kind: 'managedIdentity', hostName: '' },
      ...(connectAddress === undefined ? {} : { connectAddress }),
      ...(caCertificatePath === undefined ? {} : { caCertificatePath }),
      tier: tier ?? 'S1',
      units: integer('IOTHUB_UNITS', 1, 1, 200),
      retryBudgetMs: integer('IOTHUB_RETRY_BUDGET_MS', 20_000, 0, 600_000),
    },
    agentProfile: agentProfile ?? 'asc-classic',
    defaultBaseline: {
      name: baselineName,
      initialSettings,
      cacheSeconds: integer('BASELINE_CACHE_SECONDS', 60, 0, 86_400),
    },
    deviceSelector,
    storage: storage ?? { kind: 'connectionString', connectionString: '' },
    tables: {
      audit: tableName('AUDIT_TABLE_NAME', 'SecurityTwinAudit'),
      baselines: tableName('BASELINE_TABLE_NAME', 'SecurityBaselines'),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function readIotHubCredential(text: (name: string) => string | undefined, problems: string[]): IotHubCredentialConfig | undefined {
  const connectionString = text('IOTHUB_CONNECTION_STRING');
  const hostName = text('IOTHUB_HOST_NAME');
  const clientId = text('AZURE_CLIENT_ID');
  const requested = text('IOTHUB_CREDENTIAL');
  const kind = requested ?? (connectionString !== undefined && hostName === undefined ? 'connectionString' : 'managedIdentity');

  if (kind === 'connectionString') {
    if (connectionString === undefined) {
      problems.push('IOTHUB_CONNECTION_STRING: required when IOTHUB_CREDENTIAL is connectionString');
      return undefined;
    }
    const parts = parseConnectionString(connectionString);
    const missing = ['HostName', 'SharedAccessKeyName', 'SharedAccessKey'].filter((part) => parts.get(part) === undefined);
    if (missing.length > 0) {
      problems.push(`IOTHUB_CONNECTION_STRING: missing ${missing.join(', ')} (expected HostName=...;SharedAccessKeyName=...;SharedAccessKey=...)`);
      return undefined;
    }
    return { kind, connectionString, hostName: parts.get('HostName') as string };
  }
  if (kind === 'managedIdentity') {
    if (hostName === undefined) {
      problems.push('IOTHUB_HOST_NAME: required when IOTHUB_CREDENTIAL is managedIdentity (set IOTHUB_CONNECTION_STRING instead to use a key)');
      return undefined;
    }
    if (!/^[A-Za-z0-9.-]+$/.test(hostName)) {
      problems.push(`IOTHUB_HOST_NAME: '${hostName}' is not a host name (expected <hub>.azure-devices.net)`);
      return undefined;
    }
    return { kind, hostName, ...(clientId === undefined ? {} : { clientId }) };
  }
  problems.push(`IOTHUB_CREDENTIAL: '${kind}' is not one of managedIdentity, connectionString`);
  return undefined;
}

function readConnectAddress(raw: string | undefined, problems: string[]): { host: string; port: number } | undefined {
  if (raw === undefined) return undefined;
  const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(raw);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65_535) {
    problems.push(`IOTHUB_CONNECT_ADDRESS: '${raw}' is not host:port`);
    return undefined;
  }
  return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
}

function readInitialSettings(
  raw: string | undefined,
  profile: Config['agentProfile'],
  problems: string[],
): Readonly<Record<string, SettingValue>> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    problems.push(`DEFAULT_BASELINE_SETTINGS: not valid JSON (${(error as Error).message})`);
    return {};
  }
  const result = validateSettings(agentProfiles[profile], parsed);
  if (!result.ok) {
    const errors = result.issues.filter((issue) => issue.severity === 'error');
    problems.push(...errors.map((issue) => `DEFAULT_BASELINE_SETTINGS: ${issue.message}`));
    return {};
  }
  return result.value;
}

function readDeviceSelector(text: (name: string) => string | undefined, problems: string[]): DeviceSelector {
  const pattern = text('DEVICE_ID_PATTERN');
  const includeEdgeText = (text('INCLUDE_EDGE_DEVICES') ?? 'false').toLowerCase();
  if (includeEdgeText !== 'true' && includeEdgeText !== 'false') {
    problems.push(`INCLUDE_EDGE_DEVICES: '${includeEdgeText}' is not true or false`);
  }
  const selector: DeviceSelector = { includeEdgeDevices: includeEdgeText === 'true', ...(pattern === undefined ? {} : { deviceIdPattern: pattern }) };
  const compiled = compileDeviceSelector(selector);
  if (!compiled.ok) problems.push(...compiled.issues.map((issue) => `DEVICE_ID_PATTERN: ${issue.message}`));
  return selector;
}

function readStorage(text: (name: string) => string | undefined, problems: string[]): StorageConfig | undefined {
  const connectionString = text('PRODUCT_STORAGE_CONNECTION_STRING') ?? text('AzureWebJobsStorage');
  const accountName = text('PRODUCT_STORAGE_ACCOUNT_NAME') ?? text('AzureWebJobsStorage__accountName');
  const clientId = text('AzureWebJobsStorage__clientId') ?? text('AZURE_CLIENT_ID');
  if (connectionString !== undefined) return { kind: 'connectionString', connectionString };
  if (accountName !== undefined) return { kind: 'managedIdentity', accountName, ...(clientId === undefined ? {} : { clientId }) };
  problems.push(
    'PRODUCT_STORAGE_CONNECTION_STRING: required (or PRODUCT_STORAGE_ACCOUNT_NAME / AzureWebJobsStorage / AzureWebJobsStorage__accountName) for the baseline and audit tables',
  );
  return undefined;
}

/** Parses `Key=value;Key=value` as IoT Hub and Storage connection strings are written (values may contain '='). */
function parseConnectionString(value: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const segment of value.split(';')) {
    const at = segment.indexOf('=');
    if (at > 0) parts.set(segment.slice(0, at).trim(), segment.slice(at + 1).trim());
  }
  return parts;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
