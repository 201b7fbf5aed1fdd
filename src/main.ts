// The app's entry point (package.json "main"): the Node worker loads this one module, which registers every
// function and the start-up check.
import { app } from '@azure/functions';
import { getServices } from './composition';
import './functions/getDefaultBaseline';
import './functions/getDeviceAudit';
import './functions/getDeviceCompliance';
import './functions/getFleetCompliance';
import './functions/onDeviceCreated';
import './functions/onTwinChanged';
import './functions/sweepFleet';

/**
 * Reads and validates every setting when the worker starts, so a bad or missing setting stops the app at
 * start with one message naming every bad key, instead of surfacing on the first device event.
 */
export function checkConfigurationAtStart(): void {
  const config = getServices().config();
  console.info(
    `Security Module Twins configured: hub ${config.iotHub.credential.hostName} (${config.iotHub.credential.kind}, ${config.iotHub.tier} x${config.iotHub.units}), ` +
      `profile ${config.agentProfile}, default baseline '${config.defaultBaseline.name}', ` +
      (config.auditStream === undefined
        ? 'audit stream off (AUDIT_EVENT_HUB_CONNECTION_STRING / AUDIT_EVENT_HUB_NAMESPACE not set): audit records go to the audit table only'
        : `audit stream to Event Hub '${config.auditStream.eventHubName}' (${config.auditStream.credential.kind})`),
  );
}

app.hook.appStart(checkConfigurationAtStart);
