import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { maxWebhookBodyBytes, readEventGridWebhookRequest } from '../adapters/inbound/eventGridWebhookRequest';
import { parseDeviceEvent } from '../adapters/inbound/parseDeviceEvent';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { logFailure } from '../adapters/logging/logFailure';
import { reportDelivery } from '../app/deliveryReport';
import type { DeliveryItemResult } from '../app/provisionDelivery';
import type { DeviceCreatedNotice } from '../app/provisionSecurityModule';
import { getServices } from '../composition';
import { failureResponse } from '../domain/failurePolicy';

/**
 * Event Grid webhook for IoT Hub's Microsoft.Devices.DeviceCreated (Event Grid schema or CloudEvents 1.0):
 * gives each new device its security module and baseline. One invocation is one delivery, so the delivery
 * has one deadline (Event Grid waits 30 s), its devices are handled with bounded concurrency, and it gets
 * one summary line. Answering 5xx makes Event Grid re-send the whole delivery; a 400 it does not re-send.
 */
export async function onDeviceCreated(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const receivedAt = new Date();
  const log = invocationLogger(context);
  const reject = (status: 400 | 413, reason: string): HttpResponseInit => {
    log.warn('Rejected Event Grid webhook request', { status, reason, invocationId: context.invocationId });
    return { status, jsonBody: { error: reason } };
  };
  const declaredLength = Number(request.headers.get('content-length') ?? 0);
  if (declaredLength > maxWebhookBodyBytes) return reject(413, `the request body is ${declaredLength} bytes; at most ${maxWebhookBodyBytes} are accepted`);

  const webhook = readEventGridWebhookRequest({ method: request.method, header: (name) => request.headers.get(name), body: await request.text() });
  switch (webhook.kind) {
    case 'rejected':
      return reject(webhook.status, webhook.reason);
    case 'abuse-protection':
      return { status: 200, headers: { 'webhook-allowed-origin': webhook.origin, 'webhook-allowed-rate': '*' } };
    case 'subscription-validation':
      log.info('Event Grid subscription validated', { invocationId: context.invocationId });
      return { status: 200, jsonBody: { validationResponse: webhook.validationCode } };
    case 'unsubscribe':
      log.warn('Event Grid removed the DeviceCreated subscription', { invocationId: context.invocationId });
      return { status: 200 };
    case 'notification':
      return handleDelivery(webhook.events, receivedAt, request.headers.get('aeg-delivery-count'), context);
  }
}

async function handleDelivery(events: readonly unknown[], receivedAt: Date, deliveryCount: string | null, context: InvocationContext): Promise<HttpResponseInit> {
  const log = invocationLogger(context);
  const parsed = events.map(parseDeviceEvent);
  const notices: DeviceCreatedNotice[] = [];
  const malformed: string[] = [];
  let ignored = 0;
  for (const event of parsed) {
    if (event.kind === 'device-created') notices.push(event.notice);
    else if (event.kind === 'malformed') malformed.push(event.reason);
    else ignored++;
  }
  if (malformed.length > 0) {
    // Re-sending a malformed event cannot help: reported once per delivery, with a few reasons to go on.
    log.error('Rejected malformed device events', { count: malformed.length, examples: malformed.slice(0, 3) });
  }

  let results: DeliveryItemResult[] = [];
  try {
    if (notices.length > 0) results = await getServices().provisionDeviceCreatedEvents(notices, receivedAt);
  } catch (error) {
    // Nothing of the delivery could be handled (settings unreadable, storage unreachable before any device):
    // answered, and logged, as a failed delivery so Event Grid re-sends all of it.
    const response = failureResponse('event-grid-delivery', error);
    logFailure(log, { ...response, logLevel: 'error' }, `Event Grid delivery of ${events.length} events could not be handled, Event Grid will re-send it`, error, {
      events: events.length,
      invocationId: context.invocationId,
    });
    return { status: 503, jsonBody: { error: 'the delivery could not be handled; send it again' } };
  }
  // One line per device, however many of its events the payload held: the device was handled once.
  const logged = new Set<string>();
  for (const result of results) {
    const { deviceId, eventId } = result.notice;
    if (logged.has(deviceId)) continue;
    logged.add(deviceId);
    if (result.status === 'failed') {
      logFailure(log, failureResponse('event-grid-delivery', result.error), `Device ${deviceId}: provisioning failed`, result.error, { deviceId, eventId });
    } else if (result.status === 'done') {
      const { outcome } = result;
      // Outcomes that changed a twin or found something are worth a line each; the rest are counted.
      if (outcome.kind === 'provisioned' || outcome.kind === 'corrected') log.info(`Device ${deviceId}: ${outcome.kind}`, { deviceId, eventId, outcome });
      else if (outcome.kind === 'assignment-unreadable' || outcome.kind === 'baseline-missing' || outcome.kind === 'drift-observed') {
        log.warn(`Device ${deviceId}: ${outcome.kind}`, { deviceId, eventId, outcome });
      }
    }
  }

  const report = reportDelivery(results, { malformed: malformed.length, ignored });
  const summary = { ...report, deliveryCount: Number(deliveryCount ?? 0), durationMs: Date.now() - receivedAt.getTime(), invocationId: context.invocationId };
  if (report.unfinished > 0) {
    log.warn(`Event Grid delivery of ${report.events} events: ${report.unfinished} not finished, Event Grid will re-send it`, summary);
    return { status: 503, jsonBody: { error: `${report.unfinished} of ${report.events} events were not finished; send the delivery again`, counts: report.counts } };
  }
  log.info(`Event Grid delivery of ${report.events} events handled`, summary);
  return { status: 200, jsonBody: { counts: report.counts } };
}

app.http('onDeviceCreated', { methods: ['POST', 'OPTIONS'], authLevel: 'function', route: 'eventgrid/device-created', handler: onDeviceCreated });
