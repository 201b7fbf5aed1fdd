// The app's functions as the Functions host indexes them: loaded from src/functions through the real
// @azure/functions library, with every binding's metadata. A changed trigger, route or auth level is a
// deployment change, so it must show up here.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFunctionsHost, LogBuffer, type FunctionRegistration } from '../local/functionsHost';

let functions: Map<string, FunctionRegistration>;

beforeAll(async () => {
  const host = await LocalFunctionsHost.load({
    functionModules: [join(__dirname, '../../src/main.ts')],
    logger: new LogBuffer(),
    // Valid but unused: the app checks its settings when the worker starts.
    settings: {
      IOTHUB_CONNECTION_STRING: 'HostName=registrations.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5',
      PRODUCT_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      TWIN_CHANGE_EVENT_HUB_NAME: 'twin-changes',
      SWEEP_SCHEDULE: '0 */5 * * * *',
      TWIN_CHANGE_CONSUMER_GROUP: 'security-module-twins',
      TwinChangeEventHub__fullyQualifiedNamespace: 'smt-events.servicebus.windows.net',
    },
  });
  functions = new Map(host.functions().map((registration) => [registration.name, registration]));
});

const byName = (name: string): FunctionRegistration => {
  const registration = functions.get(name);
  if (registration === undefined) throw new Error(`function ${name} is not registered`);
  return registration;
};

describe('registered functions', () => {
  it('are exactly the product functions, all indexed', () => {
    expect([...functions.keys()].sort()).toEqual(['getDefaultBaseline', 'getDeviceAudit', 'getDeviceCompliance', 'getFleetCompliance', 'onDeviceCreated', 'onTwinChanged', 'sweepFleet']);
    for (const registration of functions.values()) expect(registration.indexingError, registration.name).toBeUndefined();
  });

  it('onDeviceCreated: the Event Grid webhook, POST and OPTIONS at /api/eventgrid/device-created with a function key', () => {
    const registration = byName('onDeviceCreated');
    expect(registration.triggerType).toBe('httpTrigger');
    const bindings = Object.values(registration.bindings);
    expect(bindings).toHaveLength(2);
    expect(bindings).toContainEqual(
      expect.objectContaining({ type: 'httpTrigger', direction: 'in', authLevel: 'function', route: 'eventgrid/device-created', methods: ['POST', 'OPTIONS'] }),
    );
    expect(registration.retryOptions).toBeUndefined();
  });

  it('onTwinChanged: an Event Hubs trigger on the twin-change hub, a batch at a time, without a retry policy (the checkpoint advances anyway)', () => {
    const registration = byName('onTwinChanged');
    expect(registration.triggerType).toBe('eventHubTrigger');
    expect(Object.values(registration.bindings)).toEqual([
      expect.objectContaining({ type: 'eventHubTrigger', direction: 'in', connection: 'TwinChangeEventHub', eventHubName: '%TWIN_CHANGE_EVENT_HUB_NAME%', consumerGroup: '%TWIN_CHANGE_CONSUMER_GROUP%', cardinality: 'many' }),
    ]);
    expect(registration.retryOptions).toBeUndefined();
  });

  it('sweepFleet: a timer on the schedule the SWEEP_SCHEDULE setting holds', () => {
    const registration = byName('sweepFleet');
    expect(registration.triggerType).toBe('timerTrigger');
    expect(Object.values(registration.bindings)).toEqual([expect.objectContaining({ type: 'timerTrigger', direction: 'in', schedule: '%SWEEP_SCHEDULE%' })]);
  });

  it.each([
    ['getDefaultBaseline', 'baselines/default'],
    ['getDeviceAudit', 'devices/{deviceId}/audit'],
    ['getDeviceCompliance', 'devices/{deviceId}/compliance'],
    ['getFleetCompliance', 'compliance'],
  ])('%s: GET /api/%s with a function key, HTTP output', (name, route) => {
    const registration = byName(name);
    expect(registration.triggerType).toBe('httpTrigger');
    const bindings = Object.values(registration.bindings);
    expect(bindings).toHaveLength(2);
    expect(bindings).toContainEqual(expect.objectContaining({ type: 'httpTrigger', direction: 'in', authLevel: 'function', route, methods: ['GET'] }));
    expect(bindings).toContainEqual(expect.objectContaining({ type: 'http', direction: 'out' }));
  });
});
