import { app, type InvocationContext } from '@azure/functions';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalFunctionsHost } from '../../local/functionsHost/localFunctionsHost';
import { deviceCreatedCloudEvent, deviceCreatedEvent, subscriptionValidationEvent } from '../../support/events/deviceCreatedEvent';

const received: { id: string; invocationId: string }[] = [];
app.eventGrid('webhookProvision', {
  handler: (event, context: InvocationContext) => {
    received.push({ id: event.id, invocationId: context.invocationId });
    if ((event.data as { fail?: boolean } | undefined)?.fail === true) throw new Error(`cannot provision ${event.subject}`);
  },
});

// Every handler waits until all events of the payload have started: sequential dispatch would deadlock.
const barrier = { expected: 0, started: 0, open: () => undefined as void, opened: Promise.resolve() };
app.eventGrid('webhookBarrier', {
  handler: async () => {
    barrier.started += 1;
    if (barrier.started === barrier.expected) barrier.open();
    await barrier.opened;
  },
});
app.http('webhookNotEventGrid', { handler: () => ({ status: 200 }) });

// Named by the event id, which is what the assertions follow.
const event = (id: string, data: Record<string, unknown> = {}) => deviceCreatedEvent(id, { id, data });
const cloudEvent = (id: string) => deviceCreatedCloudEvent(id, { id });
const notification = { 'aeg-event-type': 'Notification', 'content-type': 'application/json' };

describe('LocalFunctionsHost.deliverEventGrid', () => {
  let host: LocalFunctionsHost;

  beforeAll(async () => {
    host = await LocalFunctionsHost.load({ functionModules: [] });
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('answers the Event Grid schema validation handshake without invoking the function', async () => {
    const payload = [subscriptionValidationEvent('512d38b6-c7b8-40c8-89fe-f46f9e9622b6')];
    const answer = await host.deliverEventGrid('webhookProvision', payload, { 'aeg-event-type': 'SubscriptionValidation' });
    expect(answer).toMatchObject({ status: 200, body: { validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' } });
    expect(received).toEqual([]);
  });

  it('answers the CloudEvents validation event, whose data may be JSON-encoded twice', async () => {
    const base = { ...cloudEvent('validation'), type: 'Microsoft.EventGrid.SubscriptionValidationEvent' };
    const encoded = await host.deliverEventGrid('webhookProvision', { ...base, data: JSON.stringify({ validationCode: 'code-1' }) }, { 'Aeg-Event-Type': 'SubscriptionValidation' });
    const plain = await host.deliverEventGrid('webhookProvision', { ...base, data: { validationCode: 'code-2' } }, { 'aeg-event-type': 'subscriptionvalidation' });
    expect([encoded.body, plain.body]).toEqual([{ validationResponse: 'code-1' }, { validationResponse: 'code-2' }]);
    expect((await host.deliverEventGrid('webhookProvision', [{ data: {} }], { 'aeg-event-type': 'SubscriptionValidation' })).status).toBe(500);
  });

  it('invokes the function once per event and answers 202 when all succeed', async () => {
    const answer = await host.deliverEventGrid('webhookProvision', [event('a'), event('b'), event('c')], notification);
    expect(answer).toEqual({ status: 202 });
    expect(received.map((r) => r.id).sort()).toEqual(['a', 'b', 'c']);
    expect(new Set(received.map((r) => r.invocationId)).size).toBe(3);
  });

  it('runs the events of one payload in parallel', async () => {
    barrier.expected = 4;
    barrier.started = 0;
    barrier.opened = new Promise<void>((resolve) => (barrier.open = resolve));
    const delivery = host.deliverEventGrid('webhookBarrier', [event('1'), event('2'), event('3'), event('4')], notification);
    const deadlock = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('events of one payload did not run in parallel')), 5000).unref());
    await expect(Promise.race([delivery, deadlock])).resolves.toEqual({ status: 202 });
  });

  it('answers 500 with the failed execution message when any event fails; the other events still ran', async () => {
    const answer = await host.deliverEventGrid('webhookProvision', [event('ok-1'), event('bad', { fail: true }), event('ok-2')], notification);
    expect(answer.status).toBe(500);
    expect(answer.body).toBe('Exception while executing function: Functions.webhookProvision');
    expect(answer.errors).toEqual([new Error('cannot provision devices/bad')]);
    expect(received.map((r) => r.id).sort()).toEqual(['bad', 'ok-1', 'ok-2']);
    expect(host.logs({ functionName: 'webhookProvision', minLevel: 'error' }).at(-1)!.message).toContain('cannot provision devices/bad');
  });

  it('accepts CloudEvents 1.0: a single object is one event, a batch is one event per entry', async () => {
    const single = await host.deliverEventGrid('webhookProvision', cloudEvent('ce-1'), { ...notification, 'content-type': 'application/cloudevents+json; charset=utf-8' });
    const batch = await host.deliverEventGrid('webhookProvision', [cloudEvent('ce-2'), cloudEvent('ce-3')], {
      ...notification,
      'content-type': 'application/cloudevents-batch+json; charset=utf-8',
    });
    expect([single.status, batch.status]).toEqual([202, 202]);
    expect(received.map((r) => r.id).sort()).toEqual(['ce-1', 'ce-2', 'ce-3']);
  });

  it('answers Unsubscribe with 202 and a missing or unknown aeg-event-type with 400, invoking nothing', async () => {
    expect(await host.deliverEventGrid('webhookProvision', [event('u')], { 'aeg-event-type': 'Unsubscribe' })).toEqual({ status: 202 });
    expect(await host.deliverEventGrid('webhookProvision', [event('m')], { 'content-type': 'application/json' })).toEqual({ status: 400 });
    expect(await host.deliverEventGrid('webhookProvision', [event('o')], { 'aeg-event-type': 'Something' })).toEqual({ status: 400 });
    expect(received).toEqual([]);
  });

  it('answers 404 for an unknown function or one without an Event Grid trigger', async () => {
    expect(await host.deliverEventGrid('nope', [event('x')], notification)).toEqual({ status: 404, body: "cannot find function: 'nope'" });
    expect((await host.deliverEventGrid('webhookNotEventGrid', [event('x')], notification)).status).toBe(404);
    expect((await host.deliverEventGrid(undefined, [event('x')], notification)).status).toBe(404);
  });

  it('answers the CloudEvents abuse-protection handshake by echoing WebHook-Request-Origin', () => {
    expect(host.answerEventGridHandshake('webhookProvision', { 'WebHook-Request-Origin': 'eventgrid.azure.net' })).toEqual({
      status: 200,
      headers: { 'webhook-allowed-origin': 'eventgrid.azure.net', 'webhook-allowed-rate': '*' },
    });
    expect(host.answerEventGridHandshake('webhookProvision', {}).status).toBe(400);
    expect(host.answerEventGridHandshake('nope', { 'webhook-request-origin': 'eventgrid.azure.net' }).status).toBe(404);
  });
});
