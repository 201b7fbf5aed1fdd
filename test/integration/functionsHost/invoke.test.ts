import path from 'node:path';
import { app, type HttpResponseInit } from '@azure/functions';
import * as df from 'durable-functions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import type { EventHubMessage } from '../../local/functionsHost/triggerInput';
import { deviceCreatedEvent } from '../../support/events/deviceCreatedEvent';
import { sampleCalls } from './fixtures/sampleApp';

const sampleApp = path.join(__dirname, 'fixtures', 'sampleApp.ts');
const settings = {
  SampleEventHubConnection: 'Endpoint=sb://smt-local.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=a2V5',
  SampleTwinHub: 'twin-changes',
  SampleSweepSchedule: '0 */5 * * * *',
};

const singleEvents: unknown[] = [];
app.eventHub('invokeSingleEvent', {
  connection: 'SampleEventHubConnection',
  eventHubName: 'single',
  handler: (message, context) => {
    singleEvents.push({ message, triggerMetadata: context.triggerMetadata });
  },
});
// The typings demand a response, but a JavaScript handler can return nothing.
app.http('invokeNoResponse', { methods: ['GET'], handler: () => undefined as unknown as HttpResponseInit });
app.timer('invokeThrowsString', {
  schedule: '0 0 * * * *',
  handler: () => {
    throw 'plain string failure';
  },
});
df.app.activity('invokeActivityProbe', { handler: (input: string) => `${input}:applied` });

describe('LocalFunctionsHost.invoke', () => {
  let host: LocalFunctionsHost;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({ functionModules: [sampleApp], settings });
  });

  beforeEach(() => {
    sampleCalls.length = 0;
  });

  it('passes an Event Grid event as { json } under the trigger binding name and captures the invocation logs', async () => {
    const event = deviceCreatedEvent('d1');
    const result = await host.invoke('sampleDeviceCreated', { kind: 'eventGrid', event });
    const registration = host.getFunction('sampleDeviceCreated')!;

    expect(result.request.inputData).toEqual([{ name: registration.triggerBindingName, data: { json: JSON.stringify(event) } }]);
    expect(sampleCalls).toHaveLength(1);
    expect(sampleCalls[0]!.input).toEqual(event);
    expect(sampleCalls[0]!.invocationId).toBe(result.invocationId);
    expect(sampleCalls[0]!.triggerMetadata).toMatchObject({ data: event.data, sys: { methodName: 'sampleDeviceCreated', utcNow: expect.any(String), randGuid: expect.any(String) } });
    expect(result.logs).toContainEqual(
      expect.objectContaining({ level: 'information', category: 'user', message: 'device created devices/d1', functionName: 'sampleDeviceCreated', invocationId: result.invocationId }),
    );
    expect(result.logs.every((l) => l.invocationId === result.invocationId)).toBe(true);
  });

  it('returns output binding values and warns when nothing in the host consumes them', async () => {
    const result = await host.invoke('sampleDeviceCreated', { kind: 'eventGrid', event: deviceCreatedEvent('d2') });
    const outputName = Object.keys(host.getFunction('sampleDeviceCreated')!.bindings).find((n) => n.startsWith('eventHubOutput'))!;
    expect(result.outputs).toEqual({ [outputName]: { action: 'provisioned', subject: 'devices/d2' } });
    expect(result.logs).toContainEqual(expect.objectContaining({ level: 'warning', message: expect.stringContaining(`Output binding '${outputName}' (eventHub) has no handler`) }));
  });

  it('hands output values to a registered output handler, and a failing handler fails the invocation', async () => {
    const delivered: unknown[] = [];
    const withSink = await LocalFunctionsHost.load({
      functionModules: [sampleApp],
      outputBindingHandlers: { eventHub: (invocation, value) => void delivered.push({ binding: invocation.binding['eventHubName'], value }) },
    });
    await withSink.invoke('sampleDeviceCreated', { kind: 'eventGrid', event: deviceCreatedEvent('d3') });
    expect(delivered).toEqual([{ binding: 'security-audit', value: { action: 'provisioned', subject: 'devices/d3' } }]);

    const failing = await LocalFunctionsHost.load({
      functionModules: [sampleApp],
      outputBindingHandlers: {
        eventHub: () => {
          throw new Error('audit hub unavailable');
        },
      },
    });
    await expect(failing.invoke('sampleDeviceCreated', { kind: 'eventGrid', event: deviceCreatedEvent('d4') })).rejects.toThrow('audit hub unavailable');
  });

  it("rethrows the handler's own error and logs the failed execution", async () => {
    const failure = host.invoke('sampleDeviceCreated', { kind: 'eventGrid', event: deviceCreatedEvent('d5', { data: { fail: true } }) });
    await expect(failure).rejects.toThrow('provisioning failed for devices/d5');
    const failedLog = host.logs({ functionName: 'sampleDeviceCreated', minLevel: 'error' }).at(-1)!;
    expect(failedLog.message).toContain("Executed 'Functions.sampleDeviceCreated' (Failed, Id=");
    expect(failedLog.message).toContain('Exception: provisioning failed for devices/d5');
    expect(failedLog.invocationId).toBe(sampleCalls[0]!.invocationId);
  });

  it('treats anything thrown as a failure, as the worker does', async () => {
    await expect(host.invoke('invokeThrowsString', { kind: 'timer' })).rejects.toBe('plain string failure');
  });

  it('gives every invocation a unique id, also when they run in parallel', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => host.invoke('sampleDeviceCreated', { kind: 'eventGrid', event: deviceCreatedEvent(`p${i}`) })));
    expect(new Set(results.map((r) => r.invocationId)).size).toBe(8);
    for (const result of results) expect(result.logs.every((l) => l.invocationId === result.invocationId)).toBe(true);
  });

  describe('Event Hubs', () => {
    const messages: EventHubMessage[] = [
      {
        body: { deviceId: 'd1', moduleId: 'azureiotsecurity', version: 7 },
        properties: { hubName: 'hub', deviceId: 'd1', moduleId: 'azureiotsecurity', OpType: 'updateTwin' },
        systemProperties: { 'iothub-connection-device-id': 'd1', 'iothub-message-source': 'twinChangeEvents' },
        partitionKey: 'd1',
        sequenceNumber: 10,
        offset: '4096',
        enqueuedTimeUtc: '2025-01-01T10:00:00.120Z',
      },
      {
        body: { deviceId: 'd2', moduleId: 'azureiotsecurity', version: 3 },
        properties: { hubName: 'hub', deviceId: 'd2', moduleId: 'azureiotsecurity', OpType: 'replaceTwin' },
        sequenceNumber: 11,
        offset: '8192',
        enqueuedTimeUtc: '2025-01-01T10:00:01.000Z',
      },
    ];

    it('sends a cardinality-many batch as a JSON array with array metadata in the host typed forms', async () => {
      const result = await host.invoke('sampleTwinChanges', { kind: 'eventHub', messages, partitionId: '3' });
      const metadata = result.request.triggerMetadata;
      expect(result.request.inputData[0]!.data).toEqual({ json: JSON.stringify(messages.map((m) => m.body)) });
      expect(metadata['SequenceNumberArray']).toEqual({ collectionSint64: { sint64: [10, 11] } });
      expect(metadata['OffsetArray']).toEqual({ collectionString: { string: ['4096', '8192'] } });
      expect(metadata['EnqueuedTimeUtcArray']).toEqual({ json: JSON.stringify(['2025-01-01T10:00:00.12', '2025-01-01T10:00:01']) });

      const call = sampleCalls[0]!;
      expect(call.input).toEqual(messages.map((m) => m.body));
      expect(call.triggerMetadata).toMatchObject({
        sequenceNumberArray: [10, 11],
        // collectionString entries go through the library's tryJsonParse: numeric offsets arrive as numbers.
        offsetArray: [4096, 8192],
        // The host leaves out empty partition keys, so this array can be shorter than the batch.
        partitionKeyArray: ['d1'],
        // Unspecified-kind DateTimes: no zone designator, which JavaScript reads as local time.
        enqueuedTimeUtcArray: ['2025-01-01T10:00:00.12', '2025-01-01T10:00:01'],
        // The library lower-cases the first letter of every key, nested ones included.
        propertiesArray: [
          { hubName: 'hub', deviceId: 'd1', moduleId: 'azureiotsecurity', opType: 'updateTwin' },
          { hubName: 'hub', deviceId: 'd2', moduleId: 'azureiotsecurity', opType: 'replaceTwin' },
        ],
        systemPropertiesArray: [
          {
            'iothub-connection-device-id': 'd1',
            'iothub-message-source': 'twinChangeEvents',
            sequenceNumber: 10,
            offset: 4096,
            partitionKey: 'd1',
            enqueuedTimeUtc: '2025-01-01T10:00:00.12',
          },
          { sequenceNumber: 11, offset: 8192, partitionKey: null, enqueuedTimeUtc: '2025-01-01T10:00:01' },
        ],
        partitionContext: { fullyQualifiedNamespace: 'smt-local.servicebus.windows.net', eventHubName: 'twin-changes', consumerGroup: 'smt-reconciler', partitionId: '3' },
      });
      expect(call.retryContext).toBeUndefined();
    });

    it('sends one event for cardinality one, with single-value metadata', async () => {
      singleEvents.length = 0;
      await host.invoke('invokeSingleEvent', { kind: 'eventHub', messages: [messages[0]!] });
      expect(singleEvents).toEqual([
        {
          message: messages[0]!.body,
          triggerMetadata: expect.objectContaining({
            sequenceNumber: 10,
            offset: 4096,
            partitionKey: 'd1',
            enqueuedTimeUtc: '2025-01-01T10:00:00.12',
            properties: { hubName: 'hub', deviceId: 'd1', moduleId: 'azureiotsecurity', opType: 'updateTwin' },
            partitionContext: expect.objectContaining({ eventHubName: 'single', consumerGroup: '$Default', partitionId: '0' }),
          }),
        },
      ]);
      await expect(host.invoke('invokeSingleEvent', { kind: 'eventHub', messages })).rejects.toThrow("cardinality 'one' takes exactly one message");
    });
  });

  it('passes a timer as the host TimerInfo, camel-cased by the library, with the retry context', async () => {
    const scheduleStatus = { last: '2025-01-01T09:55:00Z', next: '2025-01-01T10:05:00Z', lastUpdated: '2025-01-01T09:55:00Z' };
    const retryContext = { retryCount: 1, maxRetryCount: 2, exception: { message: 'hub throttled' } };
    const result = await host.invoke('sampleSweep', { kind: 'timer', isPastDue: true, scheduleStatus }, { retryContext });
    expect(sampleCalls[0]!.input).toEqual({ schedule: { adjustForDST: true }, scheduleStatus, isPastDue: true });
    expect(sampleCalls[0]!.retryContext).toEqual(retryContext);
    expect(result.returnValue).toEqual({ swept: true });
  });

  describe('HTTP', () => {
    const principal = Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'Alice' }], name_typ: 'name', role_typ: 'roles' })).toString('base64');
    const request = {
      kind: 'http' as const,
      method: 'post',
      url: 'http://127.0.0.1:7071/api/rollouts/r1?dryRun=true&ring=1&ring=2',
      headers: {
        'Content-Type': 'application/json',
        'x-ms-client-principal': principal,
        'x-ms-client-principal-id': 'oid-1',
        'x-ms-client-principal-name': 'alice@contoso.com',
        'x-ms-client-principal-idp': 'aad',
      },
      params: { id: 'r1' },
      body: JSON.stringify({ ring: 1 }),
    };

    it('builds the host HTTP request (nullable maps, raw body bytes) and returns status, headers and body', async () => {
      const result = await host.invoke('sampleRollout', request, { extraInputs: { starter: { string: JSON.stringify({ taskHubName: 'smt' }) } } });
      const http = result.request.inputData[0]!.data.http!;
      expect(http.method).toBe('POST');
      expect(http.nullableHeaders?.['content-type']).toEqual({ value: 'application/json' });
      expect(http.nullableQuery).toEqual({ dryRun: { value: 'true' }, ring: { value: '1,2' } });
      expect(http.nullableParams).toEqual({ id: { value: 'r1' } });
      expect(Buffer.from(http.body!.bytes!).toString()).toBe('{"ring":1}');

      expect(result.http!.status).toBe(202);
      expect(result.http!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(result.http!.body.toString())).toEqual({ id: 'r1', action: null, principal: 'alice@contoso.com' });
      expect(result.returnValue).toBeUndefined();
      expect(sampleCalls[0]!.input).toEqual({
        params: { id: 'r1' },
        query: { dryRun: 'true', ring: '1,2' },
        body: '{"ring":1}',
        user: { type: 'AppService', id: 'oid-1', username: 'alice@contoso.com', identityProvider: 'aad', claimsPrincipalData: expect.objectContaining({ auth_typ: 'aad' }) },
        starter: { taskHubName: 'smt' },
      });
    });

    it('asks the input binding provider for extra inputs and refuses to guess without one', async () => {
      await expect(host.invoke('sampleRollout', request)).rejects.toThrow("no provider for the 'durableClient' input binding 'starter' of 'sampleRollout'");
      const withProvider = await LocalFunctionsHost.load({
        functionModules: [sampleApp],
        inputBindingProviders: { durableClient: (invocation) => ({ string: JSON.stringify({ for: invocation.functionName, binding: invocation.bindingName }) }) },
      });
      await withProvider.invoke('sampleRollout', request);
      expect(sampleCalls.at(-1)!.input).toMatchObject({ starter: { for: 'sampleRollout', binding: 'starter' } });
    });

    it('answers 200 with an empty body when the handler returns nothing', async () => {
      const result = await host.invoke('invokeNoResponse', { kind: 'http', method: 'GET', url: 'http://127.0.0.1:7071/api/invokeNoResponse' });
      expect(result.http).toEqual({ status: 200, headers: {}, cookies: [], body: Buffer.alloc(0) });
    });
  });

  it('invokes durable-functions registrations with a raw trigger value', async () => {
    const result = await host.invoke('invokeActivityProbe', { kind: 'raw', data: { json: JSON.stringify('device-7') } });
    expect(host.getFunction('invokeActivityProbe')!.triggerType).toBe('activityTrigger');
    expect(result.returnValue).toBe('device-7:applied');
  });
});
