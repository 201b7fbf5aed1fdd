// The Event Grid webhook handler called as the worker calls it: a real HttpRequest and InvocationContext,
// the real use cases behind getServices() over in-memory fakes. What Event Grid does next depends only on
// the status (200 done, 400/413 never re-sent, 5xx re-sent whole), and an operator only has the log lines,
// so every case checks both.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maxWebhookBodyBytes } from '../../../src/adapters/inbound/eventGridWebhookRequest';
import { useServices } from '../../../src/composition';
import { ConfigError } from '../../../src/config';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { InvariantError, PermanentError, TransientError } from '../../../src/domain/productError';
import { onDeviceCreated } from '../../../src/functions/onDeviceCreated';
import { deviceCreatedCloudEvent, deviceCreatedEvent, subscriptionValidationEvent } from '../../support/events/deviceCreatedEvent';
import { capturingInvocation, readLogLine, readLogLines, testHttpRequest, type CapturedLogLine } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const moduleId = getAgentProfile('asc-classic').moduleId;
const invocationId = 'inv-device-created';
const webhookPath = '/api/eventgrid/device-created';

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes();
});

afterEach(() => {
  env.restore();
});

async function call(init: { method?: string; headers?: Record<string, string>; body?: string }) {
  const { context, lines } = capturingInvocation('onDeviceCreated', invocationId);
  const request = testHttpRequest({ method: init.method ?? 'POST', path: webhookPath, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
  const response = await onDeviceCreated(request, context);
  return { response, lines };
}

/** A Notification delivery of `events` (the Event Grid schema's array, or one CloudEvent object). */
function deliver(events: unknown, headers: Record<string, string> = {}) {
  return call({ headers: { 'content-type': 'application/json', 'aeg-event-type': 'Notification', 'aeg-delivery-count': '0', ...headers }, body: JSON.stringify(events) });
}

const levelsAndMessages = (lines: readonly CapturedLogLine[]) => readLogLines(lines).map(({ level, message }) => [level, message]);
const propertiesOf = (line: CapturedLogLine | undefined) => (line === undefined ? {} : readLogLine(line).properties);

/** Makes the twin PATCH of the given devices fail with the given error, as the hub's answer translated by the adapter would. */
function failPatchOf(failures: Readonly<Record<string, unknown>>): void {
  env.registry.beforePatch = (deviceId) => {
    if (deviceId in failures) throw failures[deviceId];
  };
}

describe('onDeviceCreated: handshakes and notices', () => {
  it('answers the CloudEvents abuse-protection OPTIONS by allowing the origin, and logs nothing', async () => {
    const { response, lines } = await call({ method: 'OPTIONS', headers: { 'WebHook-Request-Origin': 'eventgrid.azure.net' } });

    expect(response).toEqual({ status: 200, headers: { 'webhook-allowed-origin': 'eventgrid.azure.net', 'webhook-allowed-rate': '*' } });
    expect(lines).toEqual([]);
  });

  it('refuses an OPTIONS without WebHook-Request-Origin with 400 and a warning that says why', async () => {
    const { response, lines } = await call({ method: 'OPTIONS' });

    expect(response.status).toBe(400);
    expect(response.jsonBody).toEqual({ error: expect.stringContaining('without a WebHook-Request-Origin header') });
    expect(levelsAndMessages(lines)).toEqual([['warning', 'Rejected Event Grid webhook request']]);
    expect(propertiesOf(lines[0])).toEqual({ status: 400, reason: (response.jsonBody as { error: string }).error, invocationId });
  });

  it('answers the Event Grid schema SubscriptionValidation with the validation code, provisioning nothing', async () => {
    const { response, lines } = await call({ headers: { 'aeg-event-type': 'SubscriptionValidation' }, body: JSON.stringify([subscriptionValidationEvent('512d38b6-c7b8-40c8')]) });

    expect(response).toEqual({ status: 200, jsonBody: { validationResponse: '512d38b6-c7b8-40c8' } });
    expect(levelsAndMessages(lines)).toEqual([['information', 'Event Grid subscription validated']]);
    expect(propertiesOf(lines[0])).toEqual({ invocationId });
    expect(env.registry.calls).toEqual([]);
  });

  it("answers Event Grid's Unsubscribe with 200 and a warning, since deliveries stop from then on", async () => {
    const { response, lines } = await call({ headers: { 'aeg-event-type': 'Unsubscribe' }, body: JSON.stringify([deviceCreatedEvent('sensor-1')]) });

    expect(response).toEqual({ status: 200 });
    expect(levelsAndMessages(lines)).toEqual([['warning', 'Event Grid removed the DeviceCreated subscription']]);
    expect(env.registry.calls).toEqual([]);
  });
});

describe('onDeviceCreated: requests that are not Event Grid deliveries', () => {
  const notification = { 'aeg-event-type': 'Notification' };
  it.each([
    ['an empty body', notification, '', 400, /^the request body is empty/],
    ['invalid JSON', notification, '[{"id": "1", ', 400, /^the request body is not valid JSON/],
    ['JSON nested 5,000 levels deep', notification, `${'['.repeat(5_000)}${']'.repeat(5_000)}`, 400, /^the JSON nests 5000 levels deep; events nest at most 32$/],
    ['JSON that is neither an array nor an object', notification, '42', 400, /^expected a JSON array of events \(or one CloudEvent object\), got number$/],
    ['no aeg-event-type header', {}, '[]', 400, /^header aeg-event-type must be Notification or SubscriptionValidation, got none$/],
    ['an unknown aeg-event-type', { 'aeg-event-type': 'Something' }, '[]', 400, /got "something"$/],
    ['a SubscriptionValidation without a code', { 'aeg-event-type': 'SubscriptionValidation' }, JSON.stringify([{ ...subscriptionValidationEvent('x'), data: {} }]), 400, /without data\.validationCode$/],
    [
      'a declared content-length beyond what Event Grid sends',
      { ...notification, 'content-length': String(maxWebhookBodyBytes + 1) },
      '[]',
      413,
      new RegExp(`^the request body is ${maxWebhookBodyBytes + 1} bytes; at most ${maxWebhookBodyBytes} are accepted$`),
    ],
  ])('%s: the status, the reason in the body, one warning with it, no hub call', async (_what, headers, body, status, reason) => {
    const { response, lines } = await call({ headers, body });

    expect(response.status).toBe(status);
    const { error } = response.jsonBody as { error: string };
    expect(error).toMatch(reason);
    expect(levelsAndMessages(lines)).toEqual([['warning', 'Rejected Event Grid webhook request']]);
    expect(propertiesOf(lines[0])).toEqual({ status, reason: error, invocationId });
    expect(env.registry.calls).toEqual([]);
  });
});

describe('onDeviceCreated: deliveries', () => {
  it('provisions a new device: 200 with the counts, one line for the device and one summary line', async () => {
    env.registry.addDevice('sensor-1');

    const { response, lines } = await deliver([deviceCreatedEvent('sensor-1')]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { provisioned: 1 } } });
    expect(env.registry.peekTwin('sensor-1', moduleId)?.tags).toEqual({ securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: env.clock.now().toISOString() } });
    expect(levelsAndMessages(lines)).toEqual([
      ['information', 'Device sensor-1: provisioned'],
      ['information', 'Event Grid delivery of 1 events handled'],
    ]);
    expect(propertiesOf(lines[0])).toEqual({ deviceId: 'sensor-1', eventId: 'evt-sensor-1', outcome: { kind: 'provisioned', baseline: { name: 'default', version: 1 }, twinVersion: 2 } });
    expect(propertiesOf(lines[1])).toMatchObject({ events: 1, counts: { provisioned: 1 }, unfinished: 0, deliveryCount: 0, invocationId });
  });

  it('accepts CloudEvents 1.0: one event as an object, or a batch as an array', async () => {
    env.registry.addDevice('ce-1');
    env.registry.addDevice('ce-2');
    env.registry.addDevice('ce-3');

    const single = await deliver(deviceCreatedCloudEvent('ce-1'), { 'content-type': 'application/cloudevents+json; charset=utf-8' });
    const batch = await deliver([deviceCreatedCloudEvent('ce-2'), deviceCreatedCloudEvent('ce-3')], { 'content-type': 'application/cloudevents-batch+json; charset=utf-8' });

    expect(single.response).toEqual({ status: 200, jsonBody: { counts: { provisioned: 1 } } });
    expect(batch.response).toEqual({ status: 200, jsonBody: { counts: { provisioned: 2 } } });
    expect(['ce-1', 'ce-2', 'ce-3'].map((deviceId) => env.registry.peekTwin(deviceId, moduleId)?.version)).toEqual([2, 2, 2]);
  });

  it('rejects malformed events with one error line (count and a few examples) and still handles the rest', async () => {
    env.registry.addDevice('sensor-1');
    const malformed = [
      { ...deviceCreatedEvent('x', { id: 'bad-1' }), data: {} },
      { ...deviceCreatedEvent('sensor-2', { id: 'bad-2' }), subject: 'devices/someone-else' },
      { ...deviceCreatedEvent('sensor-3'), id: '' },
      42,
    ];
    const otherType = { ...deviceCreatedEvent('sensor-4'), eventType: 'Microsoft.Devices.DeviceDeleted' };

    const { response, lines } = await deliver([...malformed, deviceCreatedEvent('sensor-1'), otherType]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { ignored: 1, malformed: 4, provisioned: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([
      ['error', 'Rejected malformed device events'],
      ['information', 'Device sensor-1: provisioned'],
      ['information', 'Event Grid delivery of 6 events handled'],
    ]);
    const { count, examples } = propertiesOf(lines[0]) as { count: number; examples: string[] };
    expect(count).toBe(4);
    expect(examples).toEqual([
      expect.stringMatching(/^event bad-1 .*has no valid data\.deviceId/),
      expect.stringMatching(/^event bad-2: subject "devices\/someone-else" does not name device sensor-2$/),
      'the event has no id',
    ]);
    expect(propertiesOf(lines[2])).toMatchObject({ events: 6, counts: { ignored: 1, malformed: 4, provisioned: 1 }, unfinished: 0 });
  });

  it('counts outcomes that change nothing without a line each: only the summary names them', async () => {
    env = env.reinstall({ DEVICE_ID_PATTERN: 'sensor-.*' });

    const { response, lines } = await deliver([deviceCreatedEvent('sensor-gone'), deviceCreatedEvent('camera-1'), { ...deviceCreatedEvent('sensor-5'), eventType: 'Microsoft.Devices.DeviceConnected' }]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { 'device-gone': 1, ignored: 1, 'not-selected': 1 } } });
    expect(levelsAndMessages(lines)).toEqual([['information', 'Event Grid delivery of 3 events handled']]);
    expect(env.registry.calls).toEqual(['getDevice sensor-gone']);
  });

  it('calls no use case for a delivery without DeviceCreated events', async () => {
    const { response, lines } = await deliver([{ ...deviceCreatedEvent('sensor-1'), eventType: 'Microsoft.Devices.DeviceDeleted' }]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { ignored: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([['information', 'Event Grid delivery of 1 events handled']]);
    expect(env.registry.calls).toEqual([]);
  });

  it('logs a correction at information level and a finding (unreadable assignment) as a warning with its problems', async () => {
    for (const deviceId of ['forged-1', 'unreadable-1']) {
      env.registry.addDevice(deviceId);
      await env.registry.createModule(deviceId, moduleId);
    }
    env.registry.writeTwin('forged-1', moduleId, { tags: { securityBaseline: { name: 'default', version: 1, mode: 'enforce', assignedAt: '2026-11-01T00:00:00.000Z' } } });
    env.registry.writeTwin('unreadable-1', moduleId, { tags: { securityBaseline: { name: 'Default Baseline', version: '1' } } });

    const { response, lines } = await deliver([deviceCreatedEvent('forged-1'), deviceCreatedEvent('unreadable-1')]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { 'assignment-unreadable': 1, corrected: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([
      ['information', 'Device forged-1: corrected'],
      ['warning', 'Device unreadable-1: assignment-unreadable'],
      ['information', 'Event Grid delivery of 2 events handled'],
    ]);
    expect(propertiesOf(lines[1])).toMatchObject({ deviceId: 'unreadable-1', eventId: 'evt-unreadable-1', outcome: { kind: 'assignment-unreadable' } });
    expect(lines[1]!.text).toContain('tags.securityBaseline.version');
  });

  it('answers 503 when a use case fails transiently, with a warning for the device, and Event Grid re-sends the delivery', async () => {
    env.registry.addDevice('sensor-1');
    env.registry.addDevice('throttled-1');
    failPatchOf({ 'throttled-1': new TransientError('ThrottlingException', 'IoT Hub throttled the twin update', { retryAfterMs: 10_000 }) });
    const payload = [deviceCreatedEvent('sensor-1'), deviceCreatedEvent('throttled-1')];

    const first = await deliver(payload);

    expect(first.response).toEqual({ status: 503, jsonBody: { error: '1 of 2 events were not finished; send the delivery again', counts: { failed: 1, provisioned: 1 } } });
    expect(levelsAndMessages(first.lines)).toEqual([
      ['information', 'Device sensor-1: provisioned'],
      ['warning', 'Device throttled-1: provisioning failed'],
      ['warning', 'Event Grid delivery of 2 events: 1 not finished, Event Grid will re-send it'],
    ]);
    expect(propertiesOf(first.lines[1])).toEqual({
      deviceId: 'throttled-1',
      eventId: 'evt-throttled-1',
      errorKind: 'transient',
      errorCode: 'ThrottlingException',
      error: 'IoT Hub throttled the twin update',
    });
    expect(propertiesOf(first.lines[2])).toMatchObject({ events: 2, counts: { failed: 1, provisioned: 1 }, unfinished: 1, deliveryCount: 0 });

    // Event Grid's re-send: what finished is not done again, what failed is.
    failPatchOf({});
    const resent = await deliver(payload, { 'aeg-delivery-count': '1' });

    expect(resent.response).toEqual({ status: 200, jsonBody: { counts: { 'already-done': 1, provisioned: 1 } } });
    expect(levelsAndMessages(resent.lines)).toEqual([
      ['information', 'Device throttled-1: provisioned'],
      ['information', 'Event Grid delivery of 2 events handled'],
    ]);
    expect(propertiesOf(resent.lines[1])).toMatchObject({ deliveryCount: 1, unfinished: 0 });
  });

  it('answers 503 when the delivery deadline cuts devices off, so that Event Grid re-sends it', async () => {
    env = env.reinstall({ EVENT_GRID_CONCURRENCY: '1', EVENT_GRID_DEADLINE_MS: '1000' });
    env.registry.addDevice('sensor-1');
    env.registry.addDevice('sensor-2');
    // The first device's hub calls take the whole deadline.
    env.registry.beforePatch = () => env.clock.advance(3_600_000);

    const { response, lines } = await deliver([deviceCreatedEvent('sensor-1'), deviceCreatedEvent('sensor-2')]);

    expect(response).toEqual({ status: 503, jsonBody: { error: '1 of 2 events were not finished; send the delivery again', counts: { 'cut-off': 1, provisioned: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([
      ['information', 'Device sensor-1: provisioned'],
      ['warning', 'Event Grid delivery of 2 events: 1 not finished, Event Grid will re-send it'],
    ]);
    expect(env.registry.calls.filter((call) => call.includes('sensor-2'))).toEqual([]);
  });

  it.each([
    ['a broken invariant (a bug of ours)', new InvariantError('ProfileMismatch', 'a baseline of profile defender-micro-agent reached an asc-classic twin'), 'invariant'],
    ['an error no adapter translated', new TypeError("Cannot read properties of undefined (reading 'etag')"), undefined],
  ])('answers 503 for %s and logs it as an error with its stack', async (_what, error, errorKind) => {
    env.registry.addDevice('sensor-1');
    failPatchOf({ 'sensor-1': error });

    const { response, lines } = await deliver([deviceCreatedEvent('sensor-1')]);

    expect(response).toEqual({ status: 503, jsonBody: { error: '1 of 1 events were not finished; send the delivery again', counts: { failed: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([
      ['error', 'Device sensor-1: provisioning failed'],
      ['warning', 'Event Grid delivery of 1 events: 1 not finished, Event Grid will re-send it'],
    ]);
    const properties = propertiesOf(lines[0]);
    expect(properties).toMatchObject({ deviceId: 'sensor-1', eventId: 'evt-sensor-1', error: error.message });
    expect(properties['errorKind']).toBe(errorKind);
    expect(properties['stack']).toEqual(expect.stringContaining(`${error.name}: ${error.message}\n    at `));
  });

  it('answers 200 for a permanent failure: counted as refused, an error line without a stack, not re-sent', async () => {
    env.registry.addDevice('sensor-1');
    env.registry.addDevice('locked-1');
    failPatchOf({ 'locked-1': new PermanentError('ModuleTwinLocked', 'the hub refuses changes to this module twin') });

    const { response, lines } = await deliver([deviceCreatedEvent('sensor-1'), deviceCreatedEvent('locked-1')]);

    expect(response).toEqual({ status: 200, jsonBody: { counts: { provisioned: 1, refused: 1 } } });
    expect(levelsAndMessages(lines)).toEqual([
      ['information', 'Device sensor-1: provisioned'],
      ['error', 'Device locked-1: provisioning failed'],
      ['information', 'Event Grid delivery of 2 events handled'],
    ]);
    expect(propertiesOf(lines[1])).toEqual({
      deviceId: 'locked-1',
      eventId: 'evt-locked-1',
      errorKind: 'permanent',
      errorCode: 'ModuleTwinLocked',
      error: 'the hub refuses changes to this module twin',
    });
    expect(propertiesOf(lines[2])).toMatchObject({ events: 2, counts: { provisioned: 1, refused: 1 }, unfinished: 0 });
  });

  it('answers 503 and logs an error with the stack when the delivery cannot be handled at all (settings unreadable): Event Grid re-sends it', async () => {
    const unreadable = new ConfigError(['EVENT_GRID_CONCURRENCY: expected a whole number from 1 to 64, got "many"']);
    // What composition's lazily read settings do on the first delivery after a bad deployment.
    const restoreBroken = useServices({
      ...env.services,
      provisionDeviceCreatedEvents: () => {
        throw unreadable;
      },
    });
    try {
      const { response, lines } = await deliver([deviceCreatedEvent('sensor-1')]);
      expect(response.status).toBe(503);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'error' });
      expect(lines[0]!.text).toContain('could not be handled, Event Grid will re-send it');
      expect(propertiesOf(lines[0])).toMatchObject({ events: 1, error: expect.stringContaining('EVENT_GRID_CONCURRENCY'), stack: expect.stringContaining('ConfigError') });
    } finally {
      restoreBroken();
    }
  });

  it('masks a credential that a failure carries in its message', async () => {
    env.registry.addDevice('sensor-1');
    const signature = 'c2VjcmV0LXNpZ25hdHVyZQ';
    failPatchOf({ 'sensor-1': new Error(`PATCH failed; Authorization: SharedAccessSignature sr=smt-test-hub&sig=${signature}&se=1&skn=service`) });

    const { lines } = await deliver([deviceCreatedEvent('sensor-1')]);

    expect(lines[0]!.text).toContain('provisioning failed');
    expect(lines.map((line) => line.text).join('\n')).not.toContain(signature);
  });
});
