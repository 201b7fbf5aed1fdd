import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';
import { settingDefinitions } from '../../../src/config/settingDefinitions';

const minimal = {
  IOTHUB_CONNECTION_STRING: 'HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5',
  PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults to a minimal connection-string setup', () => {
    const config = loadConfig(minimal);
    expect(config.iotHub.credential).toEqual({ kind: 'connectionString', connectionString: minimal.IOTHUB_CONNECTION_STRING, hostName: 'hub.azure-devices.net' });
    expect(config.iotHub).toMatchObject({ tier: 'S1', units: 1, retryBudgetMs: 20_000 });
    expect(config.agentProfile).toBe('asc-classic');
    expect(config.defaultBaseline).toEqual({ name: 'default', initialSettings: {}, cacheSeconds: 60 });
    expect(config.deviceSelector).toEqual({ includeEdgeDevices: false });
    expect(config.tables).toEqual({ audit: 'SecurityTwinAudit', baselines: 'SecurityBaselines' });
    expect(Object.isFrozen(config.iotHub)).toBe(true);
  });

  it('uses the managed identity when only the host name is given', () => {
    const config = loadConfig({ IOTHUB_HOST_NAME: 'hub.azure-devices.net', AZURE_CLIENT_ID: 'abc', AzureWebJobsStorage__accountName: 'acct' });
    expect(config.iotHub.credential).toEqual({ kind: 'managedIdentity', hostName: 'hub.azure-devices.net', clientId: 'abc' });
    expect(config.storage).toEqual({ kind: 'managedIdentity', accountName: 'acct', clientId: 'abc' });
  });

  it('reads the lab routing settings', () => {
    const config = loadConfig({ ...minimal, IOTHUB_CONNECT_ADDRESS: '127.0.0.1:44321', IOTHUB_CA_CERTIFICATE_PATH: '/tmp/ca.pem' });
    expect(config.iotHub.connectAddress).toEqual({ host: '127.0.0.1', port: 44321 });
    expect(config.iotHub.caCertificatePath).toBe('/tmp/ca.pem');
  });

  it('validates DEFAULT_BASELINE_SETTINGS against the agent profile', () => {
    const config = loadConfig({ ...minimal, DEFAULT_BASELINE_SETTINGS: '{"eventPriorityLogin":"Low"}' });
    expect(config.defaultBaseline.initialSettings).toEqual({ eventPriorityLogin: 'Low' });
    expect(problemsOf({ ...minimal, DEFAULT_BASELINE_SETTINGS: '{"eventPriorityLogin":"Loud"}' })[0]).toMatch(/eventPriorityLogin/);
    expect(problemsOf({ ...minimal, DEFAULT_BASELINE_SETTINGS: '{oops' })[0]).toMatch(/DEFAULT_BASELINE_SETTINGS: not valid JSON/);
  });

  it('names every bad key at once', () => {
    const problems = problemsOf({
      IOTHUB_CREDENTIAL: 'connectionString',
      IOTHUB_TIER: 'B1',
      IOTHUB_UNITS: 'two',
      SECURITY_AGENT_PROFILE: 'nope',
      DEVICE_ID_PATTERN: '(',
      INCLUDE_EDGE_DEVICES: 'maybe',
      IOTHUB_CONNECT_ADDRESS: 'nowhere',
      AUDIT_TABLE_NAME: 'a-b',
      DEFAULT_BASELINE_NAME: 'Upper Case',
    });
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'IOTHUB_CONNECTION_STRING',
        'IOTHUB_TIER',
        'IOTHUB_UNITS',
        'SECURITY_AGENT_PROFILE',
        'DEVICE_ID_PATTERN',
        'INCLUDE_EDGE_DEVICES',
        'IOTHUB_CONNECT_ADDRESS',
        'AUDIT_TABLE_NAME',
        'DEFAULT_BASELINE_NAME',
        'PRODUCT_STORAGE_CONNECTION_STRING',
      ]),
    );
  });

  it('rejects a connection string without its parts and a managed identity without a host', () => {
    expect(problemsOf({ ...minimal, IOTHUB_CONNECTION_STRING: 'HostName=x' })[0]).toMatch(/missing SharedAccessKeyName, SharedAccessKey/);
    expect(problemsOf({ IOTHUB_CREDENTIAL: 'managedIdentity', PRODUCT_STORAGE_CONNECTION_STRING: 'x' })[0]).toMatch(/^IOTHUB_HOST_NAME: required/);
    expect(problemsOf({ IOTHUB_CREDENTIAL: 'certificate', PRODUCT_STORAGE_CONNECTION_STRING: 'x' })[0]).toMatch(/^IOTHUB_CREDENTIAL: 'certificate'/);
  });

  it('lists every setting in local.settings.sample.json', () => {
    const sample = JSON.parse(readFileSync('local.settings.sample.json', 'utf8')) as { Values: Record<string, string> };
    for (const definition of settingDefinitions) expect(Object.keys(sample.Values)).toContain(definition.name);
  });

  it('documents every setting in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const definition of settingDefinitions) expect(readme).toContain(`\`${definition.name}\``);
  });
});
