// The deployment (infra/main.bicep), compiled by the real Bicep CLI with every linter rule as an error:
// the Function App gets every setting the app's configuration needs for managed identity and no secret, the
// data stores take no keys, every role is where the README says, and every function the app registers has
// the resources its trigger needs.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { hostSettingDefinitions, settingDefinitions } from '../../src/config/settingDefinitions';
import { LocalFunctionsHost, LogBuffer, type FunctionRegistration } from '../local/functionsHost';
import { compileMainTemplate, evaluate, moduleScope, resourcesOf, type ArmResource, type ArmTemplate, type Scope } from './armTemplate';

let main: ArmTemplate;
let root: Scope;
let registrations: FunctionRegistration[];

beforeAll(async () => {
  main = compileMainTemplate();
  root = { template: main, parameterValues: { environmentName: 'ci', location: 'westeurope' } };
  const host = await LocalFunctionsHost.load({
    functionModules: [join(__dirname, '../../src/main.ts')],
    logger: new LogBuffer(),
    settings: {
      IOTHUB_HOST_NAME: 'registrations.azure-devices.net',
      PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      TWIN_CHANGE_EVENT_HUB_NAME: 'twin-changes',
      SWEEP_SCHEDULE: '0 */5 * * * *',
      TWIN_CHANGE_CONSUMER_GROUP: 'security-module-twins',
      TwinChangeEventHub__fullyQualifiedNamespace: 'smt-events.servicebus.windows.net',
    },
  });
  registrations = host.functions();
}, 300_000);

/** The resources of a module, each with its properties evaluated in the module's scope. */
function moduleResources(symbolicName: string): { scope: Scope; resources: (ArmResource & { evaluated: Record<string, unknown> })[] } {
  const scope = moduleScope(root, symbolicName);
  const resources = resourcesOf(scope.template).map(([, resource]) => ({ ...resource, evaluated: evaluate(resource, scope) as Record<string, unknown> }));
  return { scope, resources };
}

function only(resources: readonly (ArmResource & { evaluated: Record<string, unknown> })[], type: string): ArmResource & { evaluated: Record<string, unknown> } {
  const ofType = resources.filter((resource) => resource.type === type && resource.evaluated.existing !== true);
  expect(ofType, type).toHaveLength(1);
  return ofType[0]!;
}

/** A value deep in an evaluated resource, by dotted path. */
function dig(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((current, key) => (current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined), value);
}

function site(): ArmResource & { evaluated: Record<string, unknown> } {
  return only(moduleResources('functionApp').resources, 'Microsoft.Web/sites');
}

/** The Function App's settings as the template writes them (runtime values shown as `<…>`). */
function appSettings(): Record<string, string> {
  const properties = site().evaluated.properties as { siteConfig: { appSettings: { name: string; value: unknown }[] } };
  return Object.fromEntries(properties.siteConfig.appSettings.map(({ name, value }) => [name, String(value)]));
}

/** What Azure fills in at deployment for the values only a deployment knows. */
const deploymentValues: Record<string, string> = {
  IOTHUB_HOST_NAME: 'iot-smt-tok3n.azure-devices.net',
  IOTHUB_TIER: 'S1',
  IOTHUB_UNITS: '1',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
  AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
  TwinChangeEventHub__clientId: '00000000-0000-0000-0000-000000000001',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000002;IngestionEndpoint=https://westeurope-0.in.applicationinsights.azure.com/',
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD',
};

function settingsAsDeployed(): Record<string, string> {
  return Object.fromEntries(Object.entries(appSettings()).map(([name, value]) => [name, value.includes('<') ? (deploymentValues[name] ?? value) : value]));
}

describe('infra/main.bicep compiled by the Bicep CLI', () => {
  it('compiles with the pinned CLI, every linter rule an error, without a diagnostic', () => {
    expect((main as unknown as { metadata: { _generator: { name: string; version: string } } }).metadata._generator).toMatchObject({ name: 'bicep', version: expect.stringMatching(/^0\.49\.2\./) });
  });

  it('gives the Function App every setting the configuration needs for managed identity: the app starts with them', () => {
    const settings = settingsAsDeployed();
    for (const [name, value] of Object.entries(settings)) expect(value, `${name} is known only at deployment: add it to deploymentValues`).not.toContain('<');
    const config = loadConfig(settings);
    expect(config.iotHub.credential).toEqual({ kind: 'managedIdentity', hostName: 'iot-smt-tok3n.azure-devices.net', clientId: settings.AZURE_CLIENT_ID });
    expect(config.storage).toMatchObject({ kind: 'managedIdentity', accountName: 'stsmttok3n' });
    expect(config.auditStream).toMatchObject({ eventHubName: 'security-audit', credential: { kind: 'managedIdentity', fullyQualifiedNamespace: 'evhns-smt-tok3n.servicebus.windows.net' } });
  });

  it('wires the runtime-only settings to the resources they name', () => {
    const settings = appSettings();
    expect(settings.IOTHUB_HOST_NAME).toMatch(/hostName/);
    expect(settings.AZURE_CLIENT_ID).toMatch(/clientId/);
    expect(settings.AzureWebJobsStorage__clientId).toBe(settings.AZURE_CLIENT_ID);
    expect(settings.TwinChangeEventHub__clientId).toBe(settings.AZURE_CLIENT_ID);
    expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(`ClientId=${settings.AZURE_CLIENT_ID};Authorization=AAD`);
  });

  it('sets only settings the app or the host defines, identity-based host connections (no plain AzureWebJobsStorage)', () => {
    const known = new Set([...settingDefinitions, ...hostSettingDefinitions].map((definition) => definition.name));
    const platform = new Set(['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING']);
    for (const name of Object.keys(appSettings())) {
      const connection = name.split('__')[0]!;
      expect(known.has(name) || platform.has(name) || (name.includes('__') && known.has(connection)), name).toBe(true);
    }
    const settings = appSettings();
    expect(settings).not.toHaveProperty('AzureWebJobsStorage');
    expect(settings).not.toHaveProperty('TwinChangeEventHub');
    expect(settings).toMatchObject({ AzureWebJobsStorage__credential: 'managedidentity', TwinChangeEventHub__credential: 'managedidentity', IOTHUB_CREDENTIAL: 'managedIdentity' });
    // Flex Consumption takes the runtime from functionAppConfig and refuses these.
    expect(settings).not.toHaveProperty('FUNCTIONS_WORKER_RUNTIME');
    expect(settings).not.toHaveProperty('FUNCTIONS_EXTENSION_VERSION');
  });

  it('puts no secret in any setting or output', () => {
    const raw = JSON.stringify(resourcesOf(moduleScope(root, 'functionApp').template).map(([, resource]) => resource));
    for (const text of [raw, JSON.stringify(appSettings())]) {
      expect(text).not.toMatch(/listKeys|listkeys|listConnectionStrings|AccountKey=|SharedAccessKey=|SharedAccessSignature|sig=/i);
    }
    for (const name of Object.keys(appSettings())) {
      if (name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING') expect(name).not.toMatch(/CONNECTION_STRING$/);
    }
    const outputs = JSON.stringify([main.outputs, ...resourcesOf(main).map(([, resource]) => resource.properties?.template?.outputs)]);
    expect(outputs).not.toMatch(/listKeys|AccountKey|SharedAccessKey/i);
  });

  it('runs on Flex Consumption, Node 22, with the deployment package read with the user-assigned identity', () => {
    const { resources } = moduleResources('functionApp');
    expect(only(resources, 'Microsoft.Web/serverfarms').evaluated.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    const properties = site().evaluated.properties;
    expect(dig(properties, 'httpsOnly')).toBe(true);
    expect(dig(properties, 'functionAppConfig.runtime')).toEqual({ name: 'node', version: '22' });
    expect(dig(properties, 'functionAppConfig.deployment.storage')).toMatchObject({ type: 'blobContainer', authentication: { type: 'UserAssignedIdentity' } });
    expect(dig(properties, 'functionAppConfig.deployment.storage.value')).toMatch(/app-package-/);
    expect((site().evaluated.identity as { type: string }).type).toBe('UserAssigned');
    const policies = resources.filter((resource) => resource.type === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
    expect(policies.map((policy) => (policy.evaluated.properties as { allow: boolean }).allow)).toEqual([false, false]);
  });

  it('takes no keys: storage without shared keys (HTTPS, TLS 1.2), Event Hubs and Application Insights without local auth, the hub without service SAS policies', () => {
    const storage = only(moduleResources('storage').resources, 'Microsoft.Storage/storageAccounts').evaluated.properties;
    expect(storage).toMatchObject({ allowSharedKeyAccess: false, supportsHttpsTrafficOnly: true, minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false });
    expect(only(moduleResources('eventHubs').resources, 'Microsoft.EventHub/namespaces').evaluated.properties).toMatchObject({ disableLocalAuth: true });
    expect(only(moduleResources('monitoring').resources, 'Microsoft.Insights/components').evaluated.properties).toMatchObject({ DisableLocalAuth: true });
    expect(only(moduleResources('iotHub').resources, 'Microsoft.Devices/IotHubs').evaluated.properties).toMatchObject({ disableLocalAuth: true });
  });

  it('routes TwinChangeEvents of the security modules to the twin-change hub with the hub identity, and keeps telemetry on the built-in endpoint', () => {
    const hub = only(moduleResources('iotHub').resources, 'Microsoft.Devices/IotHubs').evaluated.properties;
    const routes = dig(hub, 'routing.routes') as { source: string; condition: string; endpointNames: string[] }[];
    const [endpoint] = dig(hub, 'routing.endpoints.eventHubs') as { name: string }[];
    expect(endpoint).toMatchObject({ authenticationType: 'identityBased', entityPath: 'twin-changes' });
    expect(routes).toContainEqual(expect.objectContaining({ source: 'TwinChangeEvents', condition: "moduleId = 'azureiotsecurity'", endpointNames: [endpoint!.name] }));
    expect(routes).toContainEqual(expect.objectContaining({ source: 'DeviceMessages', condition: 'true', endpointNames: ['events'] }));
  });

  it('keeps every role assignment in infra/modules/roles.bicep, each the role the README names, on the narrowest scope', () => {
    const modulesWithRoles = resourcesOf(main).filter(([, resource]) =>
      resourcesOf(resource.properties?.template ?? { resources: [] }).some(([, inner]) => inner.type === 'Microsoft.Authorization/roleAssignments'),
    );
    expect(modulesWithRoles.map(([name]) => name).sort()).toEqual(['appRoles', 'routingRoles']);
    const assigned = (module: string): string[] =>
      moduleResources(module)
        .resources.filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments' && resource.evaluated.condition === true)
        .map((resource) => {
          const roleId = String((resource.evaluated.properties as { roleDefinitionId: string }).roleDefinitionId).match(/[0-9a-f-]{36}/)![0];
          return `${roleId} on ${String(resource.evaluated.scope)}`;
        })
        .sort();
    expect(assigned('routingRoles')).toEqual(['2b629674-e913-4c01-ae53-ef4638d8f975 on Microsoft.EventHub/namespaces/evhns-smt-tok3n/eventhubs/twin-changes']);
    expect(assigned('appRoles')).toEqual(
      [
        '4ea46cd5-c1b2-4a8e-910b-273211f9ce47 on Microsoft.Devices/IotHubs/iot-smt-tok3n', // IoT Hub Registry Contributor
        '494bdba2-168f-4f31-a0a1-191d2f7c028c on Microsoft.Devices/IotHubs/iot-smt-tok3n', // IoT Hub Twin Contributor
        'a638d3c7-ab3a-418d-83e6-5f17a39d4fde on Microsoft.EventHub/namespaces/evhns-smt-tok3n/eventhubs/twin-changes', // Data Receiver
        '2b629674-e913-4c01-ae53-ef4638d8f975 on Microsoft.EventHub/namespaces/evhns-smt-tok3n/eventhubs/security-audit', // Data Sender
        'b7e6dc6d-f1e8-4753-8033-0f276bb0955b on Microsoft.Storage/storageAccounts/stsmttok3n', // Blob Data Owner
        '974c5e8b-45b9-4653-ba55-5f855dd0fb88 on Microsoft.Storage/storageAccounts/stsmttok3n', // Queue Data Contributor
        '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3 on Microsoft.Storage/storageAccounts/stsmttok3n', // Table Data Contributor
        '3913510d-42f4-4e42-8a64-420c390055eb on Microsoft.Insights/components/appi-smt-tok3n', // Monitoring Metrics Publisher
        'ba92f5b4-2d11-453d-a403-e96b0029c9fe on Microsoft.Storage/storageAccounts/stsmttok3n/blobServices/default/containers/eventgrid-deadletter', // Event Grid
      ].sort(),
    );
  });
});

describe('every function the app registers has the resources its trigger needs', () => {
  const settingIn = (expression: unknown): string => {
    const match = /^%(.+)%$/.exec(String(expression));
    expect(match, `${String(expression)} names an app setting`).not.toBeNull();
    return match![1]!;
  };

  it('covers every trigger type the app uses', () => {
    expect(new Set(registrations.map((registration) => registration.triggerType))).toEqual(new Set(['httpTrigger', 'eventHubTrigger', 'timerTrigger']));
  });

  it('Event Hubs triggers: an identity-based connection, the hub and the consumer group exist in the namespace the connection names', () => {
    const settings = appSettings();
    const { resources } = moduleResources('eventHubs');
    const namespace = String(only(resources, 'Microsoft.EventHub/namespaces').evaluated.name);
    const hubs = resources.filter((resource) => resource.type === 'Microsoft.EventHub/namespaces/eventhubs').map((resource) => String(resource.evaluated.name));
    const groups = resources.filter((resource) => resource.type === 'Microsoft.EventHub/namespaces/eventhubs/consumergroups').map((resource) => String(resource.evaluated.name));
    const triggers = registrations.filter((registration) => registration.triggerType === 'eventHubTrigger');
    expect(triggers.map((registration) => registration.name)).toEqual(['onTwinChanged']);
    for (const registration of triggers) {
      const binding = Object.values(registration.bindings).find((candidate) => candidate.type === 'eventHubTrigger') as Record<string, unknown>;
      const connection = String(binding.connection);
      expect(settings[`${connection}__fullyQualifiedNamespace`]).toBe(`${namespace}.servicebus.windows.net`);
      expect(settings[`${connection}__credential`]).toBe('managedidentity');
      const hub = settings[settingIn(binding.eventHubName)];
      const group = settings[settingIn(binding.consumerGroup)];
      expect(hubs).toContain(`${namespace}/${hub}`);
      expect(groups).toContain(`${namespace}/${hub}/${group}`);
    }
  });

  it('Timer triggers: the schedule setting is set', () => {
    const settings = appSettings();
    for (const registration of registrations.filter((candidate) => candidate.triggerType === 'timerTrigger')) {
      const binding = Object.values(registration.bindings).find((candidate) => candidate.type === 'timerTrigger') as Record<string, unknown>;
      expect(settings[settingIn(binding.schedule)], registration.name).toMatch(/^\S+( \S+){5}$/);
    }
  });

  it('the Event Grid webhook (onDeviceCreated): a DeviceCreated subscription on the hub to its route with a function key, retries and dead letters explicit', () => {
    const webhook = registrations.find((registration) => registration.name === 'onDeviceCreated')!;
    const route = (Object.values(webhook.bindings).find((binding) => binding.type === 'httpTrigger') as unknown as { route: string }).route;
    const { resources } = moduleResources('eventGrid');
    const topic = only(resources, 'Microsoft.EventGrid/systemTopics').evaluated.properties as { topicType: string; source: string };
    expect(topic.topicType).toBe('Microsoft.Devices.IoTHubs');
    expect(topic.source).toMatch(/Microsoft\.Devices\/IotHubs\/iot-smt-tok3n/);
    const subscription = only(resources, 'Microsoft.EventGrid/systemTopics/eventSubscriptions');
    const properties = subscription.evaluated.properties;
    expect(dig(properties, 'destination.endpointType')).toBe('WebHook');
    // The app this template deploys, the function's route, and a function key of its host read at deployment.
    expect(String(dig(properties, 'destination.properties.endpointUrl'))).toMatch(
      new RegExp(`^https://<+reference\\(Microsoft\\.Web/sites/func-smt-tok3n\\)>\\.defaultHostName>/api/${route}\\?code=<+listKeys\\(Microsoft\\.Web/sites/func-smt-tok3n/host/default, `),
    );
    expect(dig(properties, 'filter.includedEventTypes')).toEqual(['Microsoft.Devices.DeviceCreated']);
    expect(dig(properties, 'retryPolicy')).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    expect(dig(properties, 'deadLetterWithResourceIdentity')).toMatchObject({
      identity: { type: 'UserAssigned' },
      deadLetterDestination: { endpointType: 'StorageBlob', properties: { blobContainerName: 'eventgrid-deadletter' } },
    });
    const containers = moduleResources('storage').resources.filter((resource) => resource.type === 'Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(containers.map((container) => String(container.evaluated.name))).toContain('stsmttok3n/default/eventgrid-deadletter');
  });

  it('HTTP functions: served by the Function App over HTTPS only, with function keys (authLevel function)', () => {
    for (const registration of registrations.filter((candidate) => candidate.triggerType === 'httpTrigger')) {
      const binding = Object.values(registration.bindings).find((candidate) => candidate.type === 'httpTrigger') as unknown as { authLevel: string };
      expect(binding.authLevel, registration.name).not.toBe('anonymous');
    }
    expect((site().evaluated.properties as { httpsOnly: boolean }).httpsOnly).toBe(true);
  });
});
