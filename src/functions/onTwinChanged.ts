import { app, type InvocationContext } from '@azure/functions';
import { parseTwinChangeMessages } from '../adapters/inbound/parseTwinChangeMessages';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { logFailure } from '../adapters/logging/logFailure';
import { getServices } from '../composition';
import { failureResponse } from '../domain/failurePolicy';
import type { TwinChangeNotice } from '../domain/twinChangeHint';

/**
 * Event Hubs trigger on IoT Hub's twin-change notifications (routed `TwinChangeEvents`), a batch at a time.
 * The checkpoint advances whether this function succeeds or throws, so it never throws: what cannot be
 * done now is logged and left for the sweep, which finds every twin that is not as assigned.
 */
export async function onTwinChanged(messages: unknown[], context: InvocationContext): Promise<void> {
  const log = invocationLogger(context);
  const metadata = context.triggerMetadata ?? {};
  const parsed = parseTwinChangeMessages({ messages, propertiesArray: metadata['propertiesArray'], systemPropertiesArray: metadata['systemPropertiesArray'] });
  const notices: TwinChangeNotice[] = [];
  const malformed: string[] = [];
  let otherMessages = 0;
  for (const message of parsed) {
    if (message.kind === 'twin-change') notices.push(message.notice);
    else if (message.kind === 'malformed') malformed.push(message.reason);
    else otherMessages++;
  }
  if (malformed.length > 0) log.error('Rejected malformed twin-change messages', { count: malformed.length, examples: malformed.slice(0, 3) });

  let report;
  try {
    report = await getServices().enforceTwinChanges(notices);
  } catch (error) {
    const response = failureResponse('event-hub-batch', error);
    logFailure(log, { ...response, logLevel: 'error' }, `Batch of ${messages.length} twin-change notifications could not be handled; left for the sweep`, error, {
      invocationId: context.invocationId,
    });
    return;
  }

  const counts: Record<string, number> = {};
  const bump = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  for (const outcome of report.notices) bump(outcome);
  for (const twin of report.twins) {
    const { deviceId, moduleId } = twin;
    if (twin.status === 'failed') {
      bump('failed');
      logFailure(log, failureResponse('event-hub-batch', twin.error), `Device ${deviceId}: reconcile failed, left for the sweep`, twin.error, { deviceId, moduleId });
      continue;
    }
    const { outcome } = twin;
    bump(outcome.kind);
    if (outcome.kind === 'corrected' || outcome.kind === 'assigned') log.info(`Device ${deviceId}: ${outcome.kind}`, { deviceId, moduleId, outcome });
    else if (outcome.kind !== 'in-line' && outcome.kind !== 'exempt' && outcome.kind !== 'twin-gone') log.warn(`Device ${deviceId}: ${outcome.kind}`, { deviceId, moduleId, outcome });
  }
  if (malformed.length > 0) counts['malformed'] = malformed.length;
  if (otherMessages > 0) counts['not-twin-change'] = otherMessages;
  log.info(`Twin-change batch of ${messages.length} notifications handled`, { counts, twinsReconciled: report.twins.length, invocationId: context.invocationId });
}

app.eventHub('onTwinChanged', {
  connection: 'TwinChangeEventHub',
  eventHubName: '%TWIN_CHANGE_EVENT_HUB_NAME%',
  consumerGroup: '%TWIN_CHANGE_CONSUMER_GROUP%',
  cardinality: 'many',
  handler: onTwinChanged,
});
