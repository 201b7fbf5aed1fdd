// Every setting the app reads, defined once: its name, what it means, how its value is parsed and checked,
// its default as a typed value, and the value local.settings.sample.json shows. loadConfig reads settings
// only through these definitions, and the README's configuration table and local.settings.sample.json are
// generated from them (`npm run docs:settings`; a test fails when either is out of date).
import { agentProfiles, isProfileId } from '../domain/agentProfiles';
import { isBaselineName } from '../domain/baseline';
import { compileDeviceSelector } from '../domain/deviceSelector';
import { httpAuthModes } from '../domain/httpAuthorization';
import { hubTiers, type IotHubCredentialConfig } from './config';
import {
  anyText,
  checkedText,
  connectionString,
  eventHubName,
  eventHubsConnectionString,
  hostAndPort,
  hostName,
  integer,
  json,
  namespaceHostName,
  oneOf,
  tableName,
  trueOrFalse,
  type SettingKind,
} from './settingKinds';

export interface SettingDefinition<T = unknown> {
  readonly name: string;
  /** What the setting means, for the README table (Markdown: `code` in backticks, no line breaks). */
  readonly description: string;
  readonly kind: SettingKind<T>;
  /** The value when the setting is absent or empty; the README shows it through `kind.format`. */
  readonly default?: T;
  /**
   * What absence means when a default value alone does not say it (Markdown): the outcome of a rule over
   * several settings, another setting it falls back to, or what the default amounts to.
   */
  readonly whenAbsent?: string;
  /** Value in local.settings.sample.json (lab values, never a secret); left out of the sample when undefined. */
  readonly sampleValue?: string;
}

export type SettingWithDefault<T> = SettingDefinition<T> & { readonly default: T };

/**
 * Keeps a definition's value type, taken from its kind alone (a default of 'S1' is checked against the tier
 * kind rather than widening it to string), and whether it has a default, for the code that reads it.
 */
function defineSetting<T>(definition: Omit<SettingDefinition<T>, 'default'> & { readonly default: NoInfer<T> }): SettingWithDefault<T>;
function defineSetting<T>(definition: Omit<SettingDefinition<T>, 'default'> & { readonly default?: never }): SettingDefinition<T>;
function defineSetting<T>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return definition;
}

const iotHubConnectionStringParts = ['HostName', 'SharedAccessKeyName', 'SharedAccessKey'] as const;
const iotHubCredentialKinds: readonly IotHubCredentialConfig['kind'][] = ['managedIdentity', 'connectionString'];

/** The app's own settings, in the order the README table and the sample list them. */
export const appSettings = {
  iotHubConnectionString: defineSetting({
    name: 'IOTHUB_CONNECTION_STRING',
    description: 'Service connection string of the hub (policy with RegistryWrite + ServiceConnect), for `IOTHUB_CREDENTIAL=connectionString`.',
    kind: connectionString(iotHubConnectionStringParts),
    sampleValue: 'HostName=smt-lab.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=<from .lab/lab.json>',
  }),
  iotHubHostName: defineSetting({
    name: 'IOTHUB_HOST_NAME',
    description: 'Host name of the hub, `<hub>.azure-devices.net`; required for `IOTHUB_CREDENTIAL=managedIdentity`.',
    kind: hostName,
    sampleValue: '',
  }),
  iotHubCredential: defineSetting({
    name: 'IOTHUB_CREDENTIAL',
    description: 'Entra ID through the managed identity (roles IoT Hub Registry Contributor + IoT Hub Twin Contributor), or the connection string.',
    kind: oneOf(iotHubCredentialKinds),
    whenAbsent: '`managedIdentity`, or `connectionString` when only the connection string is set',
    sampleValue: 'connectionString',
  }),
  azureClientId: defineSetting({
    name: 'AZURE_CLIENT_ID',
    description: 'Client ID of a user-assigned managed identity (omit for the system-assigned one), for the hub, the product tables and the audit stream.',
    kind: anyText,
    sampleValue: '',
  }),
  iotHubConnectAddress: defineSetting({
    name: 'IOTHUB_CONNECT_ADDRESS',
    description: 'Address to connect to instead of resolving the hub name (TLS still verifies the hub name): the lab, private-endpoint rigs.',
    kind: hostAndPort,
    sampleValue: '127.0.0.1:<iotHub.port from .lab/lab.json>',
  }),
  iotHubCaCertificatePath: defineSetting({
    name: 'IOTHUB_CA_CERTIFICATE_PATH',
    description: "PEM file of an extra CA to trust for the hub (the lab's certificate).",
    kind: anyText,
    sampleValue: '.lab/iothub-ca.pem',
  }),
  iotHubTier: defineSetting({
    name: 'IOTHUB_TIER',
    description: 'Hub tier, for the throttle budget.',
    kind: oneOf(hubTiers, 'basic tiers have no twins'),
    default: 'S1',
    sampleValue: 'S1',
  }),
  iotHubUnits: defineSetting({
    name: 'IOTHUB_UNITS',
    description: 'Hub units, for the throttle budget.',
    kind: integer({ min: 1, max: 200 }),
    default: 1,
    sampleValue: '1',
  }),
  iotHubRetryBudgetMs: defineSetting({
    name: 'IOTHUB_RETRY_BUDGET_MS',
    description:
      'Longest time one hub operation retries throttled or failed calls; never beyond the deadline of the trigger that called it (`EVENT_GRID_DEADLINE_MS` for Event Grid deliveries).',
    kind: integer({ min: 0, max: 600_000 }),
    default: 20_000,
    sampleValue: '20000',
  }),
  eventGridDeadlineMs: defineSetting({
    name: 'EVENT_GRID_DEADLINE_MS',
    // Event Grid waits 30 s for an answer; the upper bound leaves a second for answering.
    description: 'Time from the arrival of an Event Grid delivery by which it is answered; what it cuts off fails the delivery so Event Grid re-sends it.',
    kind: integer({ min: 100, max: 29_000 }),
    default: 25_000,
    sampleValue: '25000',
  }),
  eventGridConcurrency: defineSetting({
    name: 'EVENT_GRID_CONCURRENCY',
    description: 'Events of one delivery handled at once.',
    kind: integer({ min: 1, max: 64 }),
    default: 8,
    sampleValue: '8',
  }),
  enforcementConcurrency: defineSetting({
    name: 'ENFORCEMENT_CONCURRENCY',
    description: 'Module twins reconciled at once for one batch of twin-change notifications.',
    kind: integer({ min: 1, max: 64 }),
    default: 8,
    sampleValue: '8',
  }),
  contestedAfterCorrections: defineSetting({
    name: 'CONTESTED_AFTER_CORRECTIONS',
    description:
      'A twin corrected more than this many times within `CONTESTED_WINDOW_MINUTES` is contested: its corrections back off, and a `contested` audit record is written.',
    kind: integer({ min: 1, max: 1_000 }),
    default: 5,
    sampleValue: '5',
  }),
  contestedWindowMinutes: defineSetting({
    name: 'CONTESTED_WINDOW_MINUTES',
    description: 'The window in which corrections of one twin are counted.',
    kind: integer({ min: 1, max: 10_080 }),
    default: 60,
    sampleValue: '60',
  }),
  contestedBackoffMinutes: defineSetting({
    name: 'CONTESTED_BACKOFF_MINUTES',
    description: "A contested twin's first back-off after its last correction; each correction made while contested doubles it.",
    kind: integer({ min: 1, max: 10_080 }),
    default: 5,
    sampleValue: '5',
  }),
  sweepIntervalMinutes: defineSetting({
    name: 'SWEEP_INTERVAL_MINUTES',
    description: 'A new sweep of the fleet starts this long after the previous one started (a sweep of a large fleet spans several timer runs).',
    kind: integer({ min: 1, max: 10_080 }),
    default: 60,
    sampleValue: '60',
  }),
  sweepRunSeconds: defineSetting({
    name: 'SWEEP_RUN_SECONDS',
    description: "How long one timer run of the sweep may work before it saves its place and stops; keep it under the Function App's timeout.",
    kind: integer({ min: 5, max: 3_600 }),
    default: 540,
    sampleValue: '540',
  }),
  sweepBudgetPercent: defineSetting({
    name: 'SWEEP_BUDGET_PERCENT',
    description: "Share of the hub's query, twin-update and identity budgets (`IOTHUB_TIER` × `IOTHUB_UNITS`) the sweep may use.",
    kind: integer({ min: 1, max: 100 }),
    default: 25,
    sampleValue: '25',
  }),
  sweepPageSize: defineSetting({
    name: 'SWEEP_PAGE_SIZE',
    description: 'Twins or devices per query page of the sweep (IoT Hub serves at most 1,000; fewer, larger pages spend less of the query budget).',
    kind: integer({ min: 1, max: 1_000 }),
    default: 1_000,
    sampleValue: '1000',
  }),
  sweepTableName: defineSetting({
    name: 'SWEEP_TABLE_NAME',
    description: "Table where the sweep keeps its place between runs.",
    kind: tableName,
    default: 'SecuritySweep',
    sampleValue: 'SecuritySweep',
  }),
  securityAgentProfile: defineSetting({
    name: 'SECURITY_AGENT_PROFILE',
    description:
      'Security agent the fleet runs: `asc-classic` is module `azureiotsecurity`, settings wrapped `{"value": …}` under `ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration`; `defender-micro-agent` is module `DefenderIotMicroAgent`, flat keys.',
    kind: oneOf(Object.keys(agentProfiles).filter(isProfileId)),
    default: 'asc-classic',
    sampleValue: 'asc-classic',
  }),
  defaultBaselineName: defineSetting({
    name: 'DEFAULT_BASELINE_NAME',
    description: 'Baseline whose default version new devices get.',
    kind: checkedText(
      (text) => (isBaselineName(text) ? undefined : `'${text}' must be 1-63 lower-case letters, digits or '-', starting with a letter or digit`),
      '1 to 63 lower-case letters, digits or `-`, starting with a letter or digit.',
    ),
    default: 'default',
    sampleValue: 'default',
  }),
  defaultBaselineSettings: defineSetting({
    name: 'DEFAULT_BASELINE_SETTINGS',
    description: 'JSON of agent settings for version 1 of that baseline on first start; validated against the profile at start.',
    kind: json,
    default: {},
    whenAbsent: 'profile defaults',
    sampleValue: '{}',
  }),
  deviceIdPattern: defineSetting({
    name: 'DEVICE_ID_PATTERN',
    description: 'Regular expression a whole device ID must match to be provisioned.',
    kind: checkedText((text) => {
      const compiled = compileDeviceSelector({ deviceIdPattern: text, includeEdgeDevices: true });
      return compiled.ok ? undefined : compiled.issues.map((issue) => issue.message).join('; ');
    }, 'JavaScript regular expression, without flags.'),
    whenAbsent: 'every device',
    sampleValue: '',
  }),
  includeEdgeDevices: defineSetting({
    name: 'INCLUDE_EDGE_DEVICES',
    description: "Also provision IoT Edge devices; when off, each new device's identity is read once to skip them (the event's twin cannot tell).",
    kind: trueOrFalse,
    default: false,
    sampleValue: 'false',
  }),
  productStorageConnectionString: defineSetting({
    name: 'PRODUCT_STORAGE_CONNECTION_STRING',
    description: 'Storage for the product tables.',
    kind: anyText,
    whenAbsent: '`AzureWebJobsStorage`',
    sampleValue: 'UseDevelopmentStorage=true',
  }),
  productStorageAccountName: defineSetting({
    name: 'PRODUCT_STORAGE_ACCOUNT_NAME',
    description: 'Storage account for the tables with managed identity (Storage Table Data Contributor).',
    kind: anyText,
    whenAbsent: '`AzureWebJobsStorage__accountName`',
    sampleValue: '',
  }),
  auditTableName: defineSetting({
    name: 'AUDIT_TABLE_NAME',
    description: 'Table recording every change the product makes to a twin.',
    kind: tableName,
    default: 'SecurityTwinAudit',
    sampleValue: 'SecurityTwinAudit',
  }),
  auditEventHubConnectionString: defineSetting({
    name: 'AUDIT_EVENT_HUB_CONNECTION_STRING',
    description:
      'Connection string (policy with Send) of the Event Hubs namespace or hub that receives the security audit stream: every audit record as a CloudEvents event. With neither this nor `AUDIT_EVENT_HUB_NAMESPACE`, records go to the audit table only.',
    kind: eventHubsConnectionString,
    whenAbsent: 'no audit stream (or managed identity with `AUDIT_EVENT_HUB_NAMESPACE`)',
    sampleValue: '',
  }),
  auditEventHubNamespace: defineSetting({
    name: 'AUDIT_EVENT_HUB_NAMESPACE',
    description: 'Event Hubs namespace of the audit stream, reached with the managed identity (role Azure Event Hubs Data Sender on the hub); `AZURE_CLIENT_ID` picks a user-assigned one.',
    kind: namespaceHostName,
    sampleValue: '',
  }),
  auditEventHubName: defineSetting({
    name: 'AUDIT_EVENT_HUB_NAME',
    description: 'Event Hub of the security audit stream.',
    kind: eventHubName,
    whenAbsent: "the connection string's `EntityPath`, else `security-audit`",
    sampleValue: 'security-audit',
  }),
  auditEventHubRetryBudgetMs: defineSetting({
    name: 'AUDIT_EVENT_HUB_RETRY_BUDGET_MS',
    description:
      "Longest time one publish retries an Event Hub that refuses or cannot be reached (never beyond the calling trigger's deadline); records it did not take stay pending in the audit table and are published later.",
    kind: integer({ min: 0, max: 600_000 }),
    // Not a `default`: the value only exists in the Config of a configured stream (loadConfig applies it).
    whenAbsent: '`5000`',
    sampleValue: '5000',
  }),
  baselineTableName: defineSetting({
    name: 'BASELINE_TABLE_NAME',
    description: "Table of baseline versions and each name's default version.",
    kind: tableName,
    default: 'SecurityBaselines',
    sampleValue: 'SecurityBaselines',
  }),
  baselineCacheSeconds: defineSetting({
    name: 'BASELINE_CACHE_SECONDS',
    description: 'How long a worker keeps the default baseline before reading it again.',
    kind: integer({ min: 0, max: 86_400 }),
    default: 60,
    sampleValue: '60',
  }),
  complianceCacheSeconds: defineSetting({
    name: 'COMPLIANCE_CACHE_SECONDS',
    description:
      "How long a worker answers `GET /api/compliance` with its last count of the fleet before counting again; a count reads every security module twin, one hub query per 1,000 twins, from the hub's query budget.",
    kind: integer({ min: 0, max: 86_400 }),
    default: 300,
    sampleValue: '300',
  }),
  httpAuthMode: defineSetting({
    name: 'HTTP_AUTH_MODE',
    description:
      "Who may call the HTTP API: `functionKey` is any holder of a function key; `appRoles` also requires App Service Authentication (Entra ID) in front of the app and the route's app role in the caller's `x-ms-client-principal` (`reader`, `operator`, `approver`; see HTTP API). The Event Grid webhook needs the function key only, either way.",
    kind: oneOf(httpAuthModes),
    default: 'functionKey',
    sampleValue: 'functionKey',
  }),
};

/**
 * Settings of the Functions host that the app also reads (storage falls back to the host's) or that the
 * sample must carry for `func start`. Not in the README's table: the host documents them.
 */
export const hostSettings = {
  functionsWorkerRuntime: defineSetting({
    name: 'FUNCTIONS_WORKER_RUNTIME',
    description: 'Language worker of the Functions host.',
    kind: anyText,
    sampleValue: 'node',
  }),
  azureWebJobsStorage: defineSetting({
    name: 'AzureWebJobsStorage',
    description: "Storage of the Functions host; the product tables' storage when `PRODUCT_STORAGE_CONNECTION_STRING` is absent.",
    kind: anyText,
    sampleValue: 'UseDevelopmentStorage=true',
  }),
  azureWebJobsStorageAccountName: defineSetting({
    name: 'AzureWebJobsStorage__accountName',
    description: "Storage account of the Functions host with managed identity; the product tables' when `PRODUCT_STORAGE_ACCOUNT_NAME` is absent.",
    kind: anyText,
  }),
  azureWebJobsStorageClientId: defineSetting({
    name: 'AzureWebJobsStorage__clientId',
    description: "Client ID of the user-assigned identity for the host's storage; the product tables use it too (before `AZURE_CLIENT_ID`).",
    kind: anyText,
  }),
  durableTaskHubName: defineSetting({
    name: 'DURABLE_TASK_HUB_NAME',
    description: 'Task hub of Durable Functions (used by `host.json`).',
    kind: anyText,
    sampleValue: 'smtlocal',
  }),
  sweepSchedule: defineSetting({
    name: 'SWEEP_SCHEDULE',
    description: 'NCRONTAB schedule of the `sweepFleet` timer (`%SWEEP_SCHEDULE%`): how often a run continues or starts a sweep.',
    kind: anyText,
    sampleValue: '0 */5 * * * *',
  }),
  twinChangeEventHubName: defineSetting({
    name: 'TWIN_CHANGE_EVENT_HUB_NAME',
    description: 'Event Hub that IoT Hub routes `TwinChangeEvents` to; the `onTwinChanged` trigger reads it (`%TWIN_CHANGE_EVENT_HUB_NAME%`).',
    kind: anyText,
    sampleValue: 'twin-changes',
  }),
  twinChangeConsumerGroup: defineSetting({
    name: 'TWIN_CHANGE_CONSUMER_GROUP',
    description: "Consumer group of the app on that Event Hub (the trigger's checkpoints are kept per consumer group).",
    kind: anyText,
    sampleValue: '$Default',
  }),
  twinChangeEventHubConnection: defineSetting({
    name: 'TwinChangeEventHub',
    description:
      'Connection of the `onTwinChanged` trigger: a connection string, or with managed identity `TwinChangeEventHub__fullyQualifiedNamespace` (+ `__credential`, `__clientId`).',
    kind: anyText,
    sampleValue: '',
  }),
};

/** The app's settings (what an operator sets), in README order. */
export const settingDefinitions: readonly SettingDefinition[] = Object.values(appSettings);

/** The host's settings that the app reads or the sample carries. */
export const hostSettingDefinitions: readonly SettingDefinition[] = Object.values(hostSettings);
