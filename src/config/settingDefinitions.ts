// Every setting the app reads, in one table: name, meaning, whether it is required, and the value the
// lab uses. The README's configuration table and local.settings.sample.json are checked against it.
export interface SettingDefinition {
  readonly name: string;
  readonly description: string;
  /** Shown in the README; undefined means the setting is optional without a default. */
  readonly defaultValue?: string;
  /** Value written to local.settings.sample.json (lab values, no secrets). */
  readonly sampleValue: string;
}

export const settingDefinitions: readonly SettingDefinition[] = [
  {
    name: 'IOTHUB_CONNECTION_STRING',
    description:
      'Service connection string of the hub (policy with RegistryWrite + ServiceConnect). Used when IOTHUB_CREDENTIAL is connectionString.',
    sampleValue: 'HostName=smt-lab.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=<from .lab/lab.json>',
  },
  {
    name: 'IOTHUB_HOST_NAME',
    description: 'Host name of the hub (<name>.azure-devices.net). Required when IOTHUB_CREDENTIAL is managedIdentity.',
    sampleValue: 'smt-lab.azure-devices.net',
  },
  {
    name: 'IOTHUB_CREDENTIAL',
    description:
      'How to authenticate to the hub: managedIdentity (Entra ID; roles IoT Hub Registry Contributor + IoT Hub Twin Contributor) or connectionString.',
    defaultValue: 'managedIdentity, or connectionString when only IOTHUB_CONNECTION_STRING is set',
    sampleValue: 'connectionString',
  },
  {
    name: 'AZURE_CLIENT_ID',
    description: 'Client ID of the user-assigned managed identity to use with managedIdentity (omit for system-assigned).',
    sampleValue: '',
  },
  {
    name: 'IOTHUB_CONNECT_ADDRESS',
    description:
      'host:port to open connections to instead of resolving the hub host name (TLS still verifies the hub name). For the lab or a private-endpoint test rig.',
    sampleValue: '127.0.0.1:<from .lab/lab.json>',
  },
  {
    name: 'IOTHUB_CA_CERTIFICATE_PATH',
    description: 'PEM file of an extra certificate authority to trust for hub connections (the lab simulator\u2019s certificate).',
    sampleValue: '.lab/iothub-ca.pem',
  },
  {
    name: 'IOTHUB_TIER',
    description: 'Hub tier for the throttle budget: F1, S1, S2 or S3 (twins need a standard tier).',
    defaultValue: 'S1',
    sampleValue: 'S1',
  },
  {
    name: 'IOTHUB_UNITS',
    description: 'Number of hub units (1-200) for the throttle budget.',
    defaultValue: '1',
    sampleValue: '1',
  },
  {
    name: 'IOTHUB_RETRY_BUDGET_MS',
    description:
      'Longest time one hub operation may spend retrying throttled or failed calls before the invocation fails and its trigger re-delivers.',
    defaultValue: '20000',
    sampleValue: '20000',
  },
  {
    name: 'SECURITY_AGENT_PROFILE',
    description: 'Which security agent the fleet runs: asc-classic (module azureiotsecurity) or defender-micro-agent (module DefenderIotMicroAgent).',
    defaultValue: 'asc-classic',
    sampleValue: 'asc-classic',
  },
  {
    name: 'DEFAULT_BASELINE_NAME',
    description: 'Name of the baseline whose default version new devices get.',
    defaultValue: 'default',
    sampleValue: 'default',
  },
  {
    name: 'DEFAULT_BASELINE_SETTINGS',
    description:
      'JSON object of agent settings for version 1 of the default baseline when the store has none yet (validated against the profile at start); omitted settings take the profile defaults.',
    defaultValue: '{} (the agent profile defaults)',
    sampleValue: '{}',
  },
  {
    name: 'DEVICE_ID_PATTERN',
    description: 'Regular expression a device ID must match, as a whole, to get a security module. Omit to select every device.',
    sampleValue: '',
  },
  {
    name: 'INCLUDE_EDGE_DEVICES',
    description: 'true to also provision IoT Edge devices (reading the registry is then unnecessary); false skips them.',
    defaultValue: 'false',
    sampleValue: 'false',
  },
  {
    name: 'PRODUCT_STORAGE_CONNECTION_STRING',
    description:
      'Storage for the product tables (baselines, audit). Connection string; when omitted the account of AzureWebJobsStorage is used.',
    sampleValue: 'UseDevelopmentStorage=true',
  },
  {
    name: 'PRODUCT_STORAGE_ACCOUNT_NAME',
    description: 'Storage account for the product tables when using managed identity (role Storage Table Data Contributor).',
    sampleValue: '',
  },
  {
    name: 'AUDIT_TABLE_NAME',
    description: 'Table that records every change the product makes to a twin.',
    defaultValue: 'SecurityTwinAudit',
    sampleValue: 'SecurityTwinAudit',
  },
  {
    name: 'BASELINE_TABLE_NAME',
    description: 'Table of baseline versions and the default version of each baseline name.',
    defaultValue: 'SecurityBaselines',
    sampleValue: 'SecurityBaselines',
  },
  {
    name: 'BASELINE_CACHE_SECONDS',
    description: 'How long a worker keeps the default baseline in memory before reading it again.',
    defaultValue: '60',
    sampleValue: '60',
  },
];
