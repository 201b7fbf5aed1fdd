import { app, type InvocationContext } from '@azure/functions';
import { parseDeviceEvent } from '../adapters/inbound/parseDeviceEvent';
import { getServices } from '../composition';
import { isProductError } from '../domain/productError';
import { invocationLogger } from './invocationLogger';

/**
 * Event Grid trigger for IoT Hub's Microsoft.Devices.DeviceCreated: gives the new device its security
 * module and baseline. Throwing makes the host answer 500 and Event Grid re-deliver the whole payload
 * (with backoff, for up to 24 h), so only failures that a later attempt can fix are thrown.
 */
export async function onDeviceCreated(event: unknown, context: InvocationContext): Promise<void> {
  const log = invocationLogger(context);
  const parsed = parseDeviceEvent(event);
  if (parsed.kind === 'malformed') {
    // Re-delivering a malformed event cannot help; log it in full so it is found, and let the batch go on.
    log.error('Rejected malformed device event', { reason: parsed.reason, event: JSON.stringify(event)?.slice(0, 4000) });
    return;
  }
  if (parsed.kind === 'ignored') {
    log.info('Ignored event that is not a DeviceCreated', { eventId: parsed.eventId, eventType: parsed.eventType });
    return;
  }

  const { notice } = parsed;
  try {
    const outcome = await getServices().provisionSecurityModule(notice);
    log.info(`Device ${notice.deviceId}: ${outcome.kind}`, { eventId: notice.eventId, deviceId: notice.deviceId, outcome });
  } catch (error) {
    if (isProductError(error) && error.kind === 'validation') {
      // The hub rejected what we sent: the same request would be rejected again, so re-delivery cannot help.
      // Logged at error level with the device, so an operator sees it.
      log.error(`Device ${notice.deviceId}: hub rejected the provisioning request`, { eventId: notice.eventId, error: error.message });
      return;
    }
    log.error(`Device ${notice.deviceId}: provisioning failed, Event Grid will re-deliver`, {
      eventId: notice.eventId,
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

app.eventGrid('onDeviceCreated', { handler: onDeviceCreated });
