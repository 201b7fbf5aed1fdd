import { agentProfiles } from '../domain/agentProfiles';
import type { SettingValue } from '../domain/agentProfile';
import { validateSettings } from '../domain/validateBaseline';
import type { AuditStreamConfig, Config, IotHubCredentialConfig, StorageConfig } from './config';
import { ConfigError } from './configError';
import { ParsedSettings, type Environment } from './parsedSettings';
import { appSettings as app, hostSettingDefinitions, hostSettings as host, settingDefinitions } from './settingDefinitions';

/**
 * Reads every setting once, each through its definition (src/config/settingDefinitions.ts: its parser, its
 * rule, its default), and returns a frozen Config, or throws one ConfigError that names every bad or
 * missing key, so an operator fixes the app settings in one pass instead of one restart per key. The rules
 * here are only those that span several settings.
 */
export function loadConfig(env: Environment): Config {
  const settings = new ParsedSettings(env, [...settingDefinitions, ...hostSettingDefinitions]);

  const credential = chooseIotHubCredential(settings);
  const connectAddress = settings.valueOf(app.iotHubConnectAddress);
  const caCertificatePath = settings.valueOf(app.iotHubCaCertificatePath);
  const deviceIdPattern = settings.valueOf(app.deviceIdPattern);
  const storage = chooseStorage(settings);
  const auditStream = chooseAuditStream(settings);

  const config: Config = {
    iotHub: {
      credential: credential ?? { kind: 'managedIdentity', hostName: '' },
      ...(connectAddress === undefined ? {} : { connectAddress }),
      ...(caCertificatePath === undefined ? {} : { caCertificatePath }),
      tier: settings.valueOf(app.iotHubTier),
      units: settings.valueOf(app.iotHubUnits),
      retryBudgetMs: settings.valueOf(app.iotHubRetryBudgetMs),
    },
    eventGrid: {
      deadlineMs: settings.valueOf(app.eventGridDeadlineMs),
      concurrency: settings.valueOf(app.eventGridConcurrency),
    },
    enforcement: {
      concurrency: settings.valueOf(app.enforcementConcurrency),
      contest: {
        maxCorrections: settings.valueOf(app.contestedAfterCorrections),
        windowMs: settings.valueOf(app.contestedWindowMinutes) * 60_000,
        backoffMs: settings.valueOf(app.contestedBackoffMinutes) * 60_000,
      },
    },
    sweep: {
      intervalMs: settings.valueOf(app.sweepIntervalMinutes) * 60_000,
      runMs: settings.valueOf(app.sweepRunSeconds) * 1_000,
      budgetPercent: settings.valueOf(app.sweepBudgetPercent),
      pageSize: settings.valueOf(app.sweepPageSize),
    },
    agentProfile: settings.valueOf(app.securityAgentProfile),
    defaultBaseline: {
      name: settings.valueOf(app.defaultBaselineName),
      initialSettings: initialSettingsForProfile(settings),
      cacheSeconds: settings.valueOf(app.baselineCacheSeconds),
    },
    deviceSelector: {
      includeEdgeDevices: settings.valueOf(app.includeEdgeDevices),
      ...(deviceIdPattern === undefined ? {} : { deviceIdPattern }),
    },
    storage: storage ?? { kind: 'connectionString', connectionString: '' },
    ...(auditStream === undefined ? {} : { auditStream }),
    tables: {
      audit: settings.valueOf(app.auditTableName),
      baselines: settings.valueOf(app.baselineTableName),
      sweep: settings.valueOf(app.sweepTableName),
    },
    compliance: {
      cacheSeconds: settings.valueOf(app.complianceCacheSeconds),
    },
    http: {
      authMode: settings.valueOf(app.httpAuthMode),
    },
  };

  if (settings.problems.length > 0) throw new ConfigError(settings.problems);
  return deepFreeze(config);
}

/** The credential asked for, or the one the settings given imply: a lone connection string means a key. */
function chooseIotHubCredential(settings: ParsedSettings): IotHubCredentialConfig | undefined {
  if (!settings.allValid(app.iotHubCredential, app.iotHubConnectionString, app.iotHubHostName)) return undefined;
  const connection = settings.valueOf(app.iotHubConnectionString);
  const hostName = settings.valueOf(app.iotHubHostName);
  const clientId = settings.valueOf(app.azureClientId);
  const kind = settings.valueOf(app.iotHubCredential) ?? (connection !== undefined && hostName === undefined ? 'connectionString' : 'managedIdentity');

  if (kind === 'connectionString') {
    if (connection === undefined) {
      settings.addProblem(app.iotHubConnectionString, `required when ${app.iotHubCredential.name} is connectionString`);
      return undefined;
    }
    return { kind, connectionString: connection.text, hostName: connection.parts.HostName };
  }
  if (hostName === undefined) {
    settings.addProblem(
      app.iotHubHostName,
      `required when ${app.iotHubCredential.name} is managedIdentity (set ${app.iotHubConnectionString.name} instead to use a key)`,
    );
    return undefined;
  }
  return { kind, hostName, ...(clientId === undefined ? {} : { clientId }) };
}

/** The product's own storage settings, else the Functions host's storage: a connection string before an account. */
function chooseStorage(settings: ParsedSettings): StorageConfig | undefined {
  const connectionString = settings.valueOf(app.productStorageConnectionString) ?? settings.valueOf(host.azureWebJobsStorage);
  const accountName = settings.valueOf(app.productStorageAccountName) ?? settings.valueOf(host.azureWebJobsStorageAccountName);
  const clientId = settings.valueOf(host.azureWebJobsStorageClientId) ?? settings.valueOf(app.azureClientId);
  if (connectionString !== undefined) return { kind: 'connectionString', connectionString };
  if (accountName !== undefined) return { kind: 'managedIdentity', accountName, ...(clientId === undefined ? {} : { clientId }) };
  settings.addProblem(
    app.productStorageConnectionString,
    `required (or ${app.productStorageAccountName.name} / ${host.azureWebJobsStorage.name} / ${host.azureWebJobsStorageAccountName.name}) for the baseline and audit tables`,
  );
  return undefined;
}

/**
 * The audit stream when one is configured: a connection string, or a namespace for the managed identity (one
 * of the two). The hub is the one named, else the connection string's `EntityPath`, else `security-audit`.
 */
function chooseAuditStream(settings: ParsedSettings): AuditStreamConfig | undefined {
  const connection = settings.valueOf(app.auditEventHubConnectionString);
  const namespace = settings.valueOf(app.auditEventHubNamespace);
  if (connection !== undefined && namespace !== undefined) {
    settings.addProblem(app.auditEventHubConnectionString, `set this or ${app.auditEventHubNamespace.name}, not both`);
    return undefined;
  }
  const named = settings.valueOf(app.auditEventHubName);
  if (connection?.entityPath !== undefined && named !== undefined && connection.entityPath !== named) {
    settings.addProblem(app.auditEventHubName, `'${named}' differs from the EntityPath of ${app.auditEventHubConnectionString.name}`);
  }
  const eventHubName = named ?? connection?.entityPath ?? 'security-audit';
  const retryBudgetMs = settings.valueOf(app.auditEventHubRetryBudgetMs) ?? 5_000;
  if (connection !== undefined) return { eventHubName, credential: { kind: 'connectionString', connectionString: connection.text }, retryBudgetMs };
  if (namespace === undefined) return undefined;
  const clientId = settings.valueOf(app.azureClientId);
  return { eventHubName, credential: { kind: 'managedIdentity', fullyQualifiedNamespace: namespace, ...(clientId === undefined ? {} : { clientId }) }, retryBudgetMs };
}

/** DEFAULT_BASELINE_SETTINGS checked against the agent profile, which another setting chooses. */
function initialSettingsForProfile(settings: ParsedSettings): Readonly<Record<string, SettingValue>> {
  if (!settings.allValid(app.defaultBaselineSettings, app.securityAgentProfile)) return {};
  const result = validateSettings(agentProfiles[settings.valueOf(app.securityAgentProfile)], settings.valueOf(app.defaultBaselineSettings));
  if (result.ok) return result.value;
  for (const issue of result.issues) {
    if (issue.severity === 'error') settings.addProblem(app.defaultBaselineSettings, issue.message);
  }
  return {};
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
