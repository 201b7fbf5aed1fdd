import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { minimalSettings, problemsOf } from '../../support/configProblems';
import { loadConfig, type Config } from '../../../src/config';
import { hostSettingDefinitions, settingDefinitions } from '../../../src/config/settingDefinitions';
import { anyText } from '../../../src/config/settingKinds';

const minimal = minimalSettings;

describe('loadConfig', () => {
  it('applies documented defaults to a minimal connection-string setup', () => {
    const config = loadConfig(minimal);
    expect(config.iotHub.credential).toEqual({ kind: 'connectionString', connectionString: minimal.IOTHUB_CONNECTION_STRING, hostName: 'hub.azure-devices.net' });
    expect(config.iotHub).toMatchObject({ tier: 'S1', units: 1, retryBudgetMs: 20_000 });
    expect(config.agentProfile).toBe('asc-classic');
    expect(config.defaultBaseline).toEqual({ name: 'default', initialSettings: {}, cacheSeconds: 60 });
    expect(config.deviceSelector).toEqual({ includeEdgeDevices: false });
    expect(config.tables).toEqual({ audit: 'SecurityTwinAudit', baselines: 'SecurityBaselines', sweep: 'SecuritySweep' });
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

  it('lists the problems in the order of the settings, those of rules over several settings included', () => {
    const problems = problemsOf({ IOTHUB_CREDENTIAL: 'connectionString', IOTHUB_TIER: 'S9', BASELINE_CACHE_SECONDS: '-1' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['IOTHUB_CONNECTION_STRING', 'IOTHUB_TIER', 'PRODUCT_STORAGE_CONNECTION_STRING', 'BASELINE_CACHE_SECONDS']);
  });

  it('reads the Event Grid delivery settings within their bounds', () => {
    expect(loadConfig(minimal).eventGrid).toEqual({ deadlineMs: 25_000, concurrency: 8 });
    expect(loadConfig({ ...minimal, EVENT_GRID_DEADLINE_MS: '100', EVENT_GRID_CONCURRENCY: '64' }).eventGrid).toEqual({ deadlineMs: 100, concurrency: 64 });
    expect(loadConfig({ ...minimal, EVENT_GRID_DEADLINE_MS: '29000', EVENT_GRID_CONCURRENCY: '1' }).eventGrid).toEqual({ deadlineMs: 29_000, concurrency: 1 });
    expect(problemsOf({ ...minimal, EVENT_GRID_DEADLINE_MS: '29001', EVENT_GRID_CONCURRENCY: '0' })).toEqual([
      "EVENT_GRID_DEADLINE_MS: '29001' is not a whole number from 100 to 29000",
      "EVENT_GRID_CONCURRENCY: '0' is not a whole number from 1 to 64",
    ]);
  });

  it('matches words without regard to case and answers in their own spelling', () => {
    const config = loadConfig({ ...minimal, IOTHUB_TIER: 's2', INCLUDE_EDGE_DEVICES: 'TRUE', SECURITY_AGENT_PROFILE: 'Defender-Micro-Agent' });
    expect(config.iotHub.tier).toBe('S2');
    expect(config.deviceSelector.includeEdgeDevices).toBe(true);
    expect(config.agentProfile).toBe('defender-micro-agent');
  });

  it('takes HTTP_AUTH_MODE in any case, answered in its own spelling', () => {
    expect(loadConfig({ ...minimal, HTTP_AUTH_MODE: 'APPROLES' }).http.authMode).toBe('appRoles');
    expect(problemsOf({ ...minimal, HTTP_AUTH_MODE: 'entra' })).toEqual(["HTTP_AUTH_MODE: 'entra' is not one of functionKey, appRoles"]);
  });

  it('takes baseline names by the domain rule', () => {
    expect(loadConfig({ ...minimal, DEFAULT_BASELINE_NAME: '0-edge-fleet' }).defaultBaseline.name).toBe('0-edge-fleet');
    expect(problemsOf({ ...minimal, DEFAULT_BASELINE_NAME: 'a'.repeat(64) })[0]).toMatch(/^DEFAULT_BASELINE_NAME: /);
    expect(problemsOf({ ...minimal, DEFAULT_BASELINE_NAME: '-lead' })[0]).toMatch(/^DEFAULT_BASELINE_NAME: /);
  });

  it('reads settings only through their definitions, and every one of them', () => {
    const read = new Set<string>();
    const environment = new Proxy<Record<string, string>>(
      { ...minimal },
      {
        get(target, key) {
          if (typeof key === 'string') read.add(key);
          return Reflect.get(target, key);
        },
      },
    );
    loadConfig(environment);
    expect([...read].sort()).toEqual([...settingDefinitions, ...hostSettingDefinitions].map((definition) => definition.name).sort());
  });
});

/** Where the Config holds each setting that has a default: what loadConfig gives when the setting is absent. */
const configValueOf: Readonly<Record<string, (config: Config) => unknown>> = {
  IOTHUB_TIER: (config) => config.iotHub.tier,
  IOTHUB_UNITS: (config) => config.iotHub.units,
  IOTHUB_RETRY_BUDGET_MS: (config) => config.iotHub.retryBudgetMs,
  EVENT_GRID_DEADLINE_MS: (config) => config.eventGrid.deadlineMs,
  EVENT_GRID_CONCURRENCY: (config) => config.eventGrid.concurrency,
  ENFORCEMENT_CONCURRENCY: (config) => config.enforcement.concurrency,
  CONTESTED_AFTER_CORRECTIONS: (config) => config.enforcement.contest.maxCorrections,
  CONTESTED_WINDOW_MINUTES: (config) => config.enforcement.contest.windowMs / 60_000,
  CONTESTED_BACKOFF_MINUTES: (config) => config.enforcement.contest.backoffMs / 60_000,
  SWEEP_INTERVAL_MINUTES: (config) => config.sweep.intervalMs / 60_000,
  SWEEP_RUN_SECONDS: (config) => config.sweep.runMs / 1_000,
  SWEEP_BUDGET_PERCENT: (config) => config.sweep.budgetPercent,
  SWEEP_PAGE_SIZE: (config) => config.sweep.pageSize,
  SWEEP_TABLE_NAME: (config) => config.tables.sweep,
  SECURITY_AGENT_PROFILE: (config) => config.agentProfile,
  DEFAULT_BASELINE_NAME: (config) => config.defaultBaseline.name,
  DEFAULT_BASELINE_SETTINGS: (config) => config.defaultBaseline.initialSettings,
  INCLUDE_EDGE_DEVICES: (config) => config.deviceSelector.includeEdgeDevices,
  AUDIT_TABLE_NAME: (config) => config.tables.audit,
  BASELINE_TABLE_NAME: (config) => config.tables.baselines,
  BASELINE_CACHE_SECONDS: (config) => config.defaultBaseline.cacheSeconds,
  COMPLIANCE_CACHE_SECONDS: (config) => config.compliance.cacheSeconds,
  HTTP_AUTH_MODE: (config) => config.http.authMode,
};

/** A value each setting with a rule refuses. */
const badValues: Readonly<Record<string, string>> = {
  IOTHUB_CONNECTION_STRING: 'HostName=hub.azure-devices.net;SharedAccessKey=a2V5',
  IOTHUB_HOST_NAME: 'hub azure-devices net',
  IOTHUB_CREDENTIAL: 'certificate',
  IOTHUB_CONNECT_ADDRESS: '127.0.0.1:65536',
  IOTHUB_TIER: 'B1',
  IOTHUB_UNITS: '201',
  IOTHUB_RETRY_BUDGET_MS: '-1',
  EVENT_GRID_DEADLINE_MS: '99',
  EVENT_GRID_CONCURRENCY: '65',
  ENFORCEMENT_CONCURRENCY: '0',
  CONTESTED_AFTER_CORRECTIONS: '0',
  CONTESTED_WINDOW_MINUTES: '10081',
  CONTESTED_BACKOFF_MINUTES: 'soon',
  SWEEP_INTERVAL_MINUTES: '0',
  SWEEP_RUN_SECONDS: '4',
  SWEEP_BUDGET_PERCENT: '101',
  SWEEP_PAGE_SIZE: '1001',
  SWEEP_TABLE_NAME: 'sweep_state',
  SECURITY_AGENT_PROFILE: 'toString',
  DEFAULT_BASELINE_NAME: 'Default',
  DEFAULT_BASELINE_SETTINGS: '{"eventPriorityLogin":',
  DEVICE_ID_PATTERN: 'a)|(b',
  INCLUDE_EDGE_DEVICES: 'yes',
  AUDIT_TABLE_NAME: 'audit-log',
  AUDIT_EVENT_HUB_CONNECTION_STRING: 'Endpoint=sb://smt.servicebus.windows.net/;SharedAccessKey=a2V5',
  AUDIT_EVENT_HUB_NAMESPACE: 'sb://smt.servicebus.windows.net/',
  AUDIT_EVENT_HUB_NAME: 'audit_',
  AUDIT_EVENT_HUB_RETRY_BUDGET_MS: '600001',
  BASELINE_TABLE_NAME: 'ab',
  BASELINE_CACHE_SECONDS: '1e3',
  COMPLIANCE_CACHE_SECONDS: '86401',
  HTTP_AUTH_MODE: 'easyAuth',
};

describe('the setting definitions drive loadConfig', () => {
  const withDefault = settingDefinitions.filter((definition) => definition.default !== undefined);
  const withRule = settingDefinitions.filter((definition) => definition.kind !== anyText);

  it('defines each setting once', () => {
    const names = [...settingDefinitions, ...hostSettingDefinitions].map((definition) => definition.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has a Config place for every setting with a default, and a bad value for every setting with a rule', () => {
    expect(Object.keys(configValueOf).sort()).toEqual(withDefault.map((definition) => definition.name).sort());
    expect(Object.keys(badValues).sort()).toEqual(withRule.map((definition) => definition.name).sort());
  });

  it.each(withDefault.map((definition) => [definition.name, definition] as const))('%s: the default, as documented, is what an absent setting gives', (name, definition) => {
    const documented = definition.kind.format(definition.default);
    expect(definition.kind.parse(documented)).toEqual({ ok: true, value: definition.default });
    const valueOf = configValueOf[name]!;
    expect(valueOf(loadConfig(minimal))).toEqual(definition.default);
    expect(valueOf(loadConfig({ ...minimal, [name]: '  ' }))).toEqual(definition.default);
    expect(valueOf(loadConfig({ ...minimal, [name]: documented }))).toEqual(definition.default);
  });

  it.each(withRule.map((definition) => [definition.name] as const))('%s: a bad value is one problem, naming the key', (name) => {
    const problems = problemsOf({ ...minimal, [name]: badValues[name]! });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('never repeats a connection string in a problem: it holds a key', () => {
    const [problem] = problemsOf({ ...minimal, IOTHUB_CONNECTION_STRING: 'HostName=hub.azure-devices.net;SharedAccessKey=c2VjcmV0' });
    expect(problem).toMatch(/^IOTHUB_CONNECTION_STRING: missing SharedAccessKeyName/);
    expect(problem).not.toContain('c2VjcmV0');
  });
});
