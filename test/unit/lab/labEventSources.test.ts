import { describe, expect, it } from 'vitest';
import type { FunctionRegistration } from '../../local/functionsHost';
import { eventGridWebhookUrl, labEventSources, type EventGridSourceRow } from '../../local/lab/labEventSources';

const row: EventGridSourceRow = { source: 'iothub.DeviceCreated', delivery: 'eventGrid', functionName: 'onDeviceCreated', subscriptionName: 'device-created' };
const registration = (overrides: Partial<FunctionRegistration>): FunctionRegistration => ({
  name: 'onDeviceCreated',
  triggerType: 'eventGridTrigger',
  triggerBindingName: 'event',
  bindings: {},
  ...overrides,
});
const host = 'http://127.0.0.1:7071';

describe('where the lab delivers an event source', () => {
  it('posts to the Event Grid extension webhook for an Event Grid trigger', () => {
    expect(eventGridWebhookUrl(row, [registration({})], host, 'api')).toBe(`${host}/runtime/webhooks/eventgrid?functionName=onDeviceCreated`);
  });

  it("posts to the function's route for an HTTP-triggered webhook handler", () => {
    const http = registration({ triggerType: 'httpTrigger', http: { route: 'eventgrid/device-created', methods: ['POST', 'OPTIONS'], authLevel: 'function' } });
    expect(eventGridWebhookUrl(row, [http], host, 'api')).toBe(`${host}/api/eventgrid/device-created`);
    expect(eventGridWebhookUrl(row, [http], host, '')).toBe(`${host}/eventgrid/device-created`);
    const withParameter = registration({ triggerType: 'httpTrigger', http: { route: 'eventgrid/{topic}', methods: [], authLevel: 'function' } });
    expect(() => eventGridWebhookUrl(row, [withParameter], host, 'api')).toThrow(/route 'eventgrid\/\{topic\}' has parameters/);
  });

  it('refuses, naming the function, one the app does not register, cannot index, or registers with another trigger', () => {
    expect(() => eventGridWebhookUrl(row, [registration({ name: 'other' })], host, 'api')).toThrow(
      "The lab delivers iothub.DeviceCreated to function 'onDeviceCreated', but the app registers no such function (registered: other).",
    );
    expect(() => eventGridWebhookUrl(row, [registration({ indexingError: 'bad binding' })], host, 'api')).toThrow(/'onDeviceCreated', which the host could not index: bad binding/);
    expect(() => eventGridWebhookUrl(row, [registration({ triggerType: 'timerTrigger' })], host, 'api')).toThrow(/'onDeviceCreated' through Event Grid, but it is a timerTrigger/);
  });

  it('feeds DeviceCreated to onDeviceCreated', () => {
    expect(labEventSources).toContainEqual(expect.objectContaining({ source: 'iothub.DeviceCreated', delivery: 'eventGrid', functionName: 'onDeviceCreated' }));
  });
});
