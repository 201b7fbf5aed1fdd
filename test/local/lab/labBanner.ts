// What the lab tells a person once it runs: where everything listens, what the hub holds, and every app
// setting in force, with keys masked (the full connection strings are in lab.json, for programs).
import { isEventGridRow, labEventSources } from './labEventSources';
import { relative } from 'node:path';
import { redactSecrets } from '../../../src/domain/redactSecrets';
import type { Lab } from './startLab';

export type BannerLab = Pick<Lab, 'info' | 'settings' | 'eventRoutes' | 'stateFiles' | 'restored' | 'seeded'>;

/** A path as a person typed it: relative to the current folder when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const fromHere = relative(cwd, path);
  return fromHere === '' || fromHere.startsWith('..') ? path : fromHere;
}

export function labBanner(lab: BannerLab, userSettings: Readonly<Record<string, string>> = {}, cwd = process.cwd()): string {
  const { info } = lab;
  const shown = (path: string) => displayPath(path, cwd);
  const state = shown(lab.stateFiles.dir);
  const kept = lab.restored.devices > 0 ? `${lab.restored.devices} kept in ${state}` : `new hub, kept in ${state} (--fresh starts empty)`;
  const owed = lab.restored.pendingEvents > 0 ? `; ${lab.restored.pendingEvents} undelivered events resumed` : '';
  const seeded = lab.seeded.added > 0 ? `, ${lab.seeded.added} seeded now` : '';
  const width = Math.max(...Object.keys(lab.settings).map((name) => name.length));
  const settings = Object.entries(lab.settings)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `    ${name.padEnd(width)}  ${redactSecrets(value) || '(empty)'}${Object.hasOwn(userSettings, name) ? '   (--set)' : ''}`);
  const routes = [
    ...lab.eventRoutes.map(({ row, webhookUrl }) => `${row.source} → ${row.functionName} (${row.delivery} → ${webhookUrl})`),
    ...labEventSources.filter((row) => !isEventGridRow(row)).map((row) => `${row.source} → ${row.functionName} (${row.delivery} '${'eventHubName' in row ? row.eventHubName : ''}')`),
  ];
  return `
Security Module Twins lab is running (started in ${info.startupMs} ms)

  Functions host     ${info.http.hostUrl}   functions: ${info.functions.join(', ')}
  HTTP API           ${info.http.baseUrl}/baselines/default, /compliance, /devices/{deviceId}/audit, /devices/{deviceId}/compliance
  Event sources      ${routes.join('\n                     ')}
  IoT Hub simulator  ${info.iotHub.hostName} on 127.0.0.1:${info.iotHub.port} (tier ${info.iotHub.tier}${info.iotHub.units > 0 ? ` x${info.iotHub.units}` : ''}), certificate ${shown(info.iotHub.caCertPath)}
  Azurite tables     ${info.storage.tableEndpoint}
  Audit stream       Event Hub '${info.auditStream.eventHubName}' (AMQP stand-in; connection string in lab.json)
  Devices            ${lab.restored.devices + lab.seeded.added} (${kept}${seeded})${owed}
  App settings
${settings.join('\n')}

  Connection details for clients: ${shown(lab.stateFiles.labJson)}. Press Ctrl-C to stop.
`;
}
