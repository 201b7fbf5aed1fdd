// Enforcement through the lab, black-box: 1,000 provisioned devices whose security module twins are then
// tampered with through the real azure-iothub SDK in every way; twin-change notifications reach onTwinChanged
// through the Event Hub stand-in, and one sweep catches what notifications cannot (a deleted module).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import type { Registry } from 'azure-iothub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogBuffer } from '../local/functionsHost';
import { labRegistry } from '../local/lab/labRegistry';
import { startLab, type Lab } from '../local/lab/startLab';
import { getAgentProfile } from '../../src/domain/agentProfiles';
import { defaultSettings } from '../../src/domain/defaultSettings';
import { readConfiguredSettings } from '../../src/domain/desiredConfiguration';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';
const baselineSettings = defaultSettings(profile);
const fleetSize = 1_000;

let lab: Lab;
let registry: Registry;
let deviceIds: string[];
const original = new Map<string, Record<string, unknown>>();

/** The kinds of tampering, each applied to its own slice of the fleet. */
const tamperings = {
  'changed value': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } }, etag),
  'extra key': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { properties: { desired: { [container]: { sneakyCollector: { value: true } } } } }, etag),
  'configuration removed': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { properties: { desired: { [container]: null } } }, etag),
  'tag removed': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { tags: { securityBaseline: null } }, etag),
  'tag forged': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { tags: { securityBaseline: { version: 99 } } }, etag),
  'tag unreadable': (etag: string, id: string) => registry.updateModuleTwin(id, moduleId, { tags: { securityBaseline: { mode: 'whatever' } } }, etag),
} as const;
type Tampering = keyof typeof tamperings;
const kinds = Object.keys(tamperings) as Tampering[];
const groupSize = 100;
const group = (kind: Tampering) => deviceIds.slice(kinds.indexOf(kind) * groupSize, (kinds.indexOf(kind) + 1) * groupSize);
const deletedModules = () => deviceIds.slice(kinds.length * groupSize, kinds.length * groupSize + 50);
const auditMode = () => deviceIds.slice(700, 720);
const exempt = () => deviceIds.slice(720, 740);

async function twinOf(deviceId: string) {
  const { responseBody } = await registry.getModuleTwin(deviceId, moduleId);
  return responseBody;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

beforeAll(async () => {
  lab = await startLab({ httpPort: 0, stateDir: mkdtempSync(join(tmpdir(), 'smt-enforce-')), throttle: false, logger: new LogBuffer(100_000), devices: fleetSize });
  registry = labRegistry(lab.info);
  await lab.settle();
  deviceIds = lab.simulator.listDeviceIds();
  for (const deviceId of deviceIds) original.set(deviceId, (lab.simulator.peekModuleTwin(deviceId, moduleId)?.['tags'] as Record<string, unknown>)['securityBaseline'] as Record<string, unknown>);

  // Operators' own tag edits on the same baseline stand: audit mode for some, an exemption for others.
  await inParallel(auditMode(), async (id) => registry.updateModuleTwin(id, moduleId, { tags: { securityBaseline: { mode: 'audit' } } }, (await twinOf(id)).etag));
  await inParallel(exempt(), async (id) =>
    registry.updateModuleTwin(id, moduleId, { tags: { securityBaseline: { exemptUntil: '2099-01-01T00:00:00.000Z', exemptReason: 'lab bench' } } }, (await twinOf(id)).etag),
  );
  await lab.settle();
  lab.simulator.resetStats();

  for (const kind of kinds) await inParallel(group(kind), async (id) => tamperings[kind]((await twinOf(id)).etag, id));
  await inParallel([...auditMode(), ...exempt()], async (id) => tamperings['changed value']((await twinOf(id)).etag, id));
  await inParallel(deletedModules(), (id) => registry.removeModule(id, moduleId));
  await lab.settle();
}, 600_000);

afterAll(async () => {
  await lab?.stop();
});

describe(`enforcement of ${fleetSize} provisioned twins`, () => {
  it.each(kinds)('puts twins back after "%s", from the notifications alone', async (kind) => {
    for (const deviceId of group(kind)) {
      const twin = await twinOf(deviceId);
      expect(readConfiguredSettings(profile, twin.properties.desired), `${kind}: ${deviceId}`).toEqual(baselineSettings);
      expect(twin.tags['securityBaseline'], `${kind}: ${deviceId}`).toEqual(original.get(deviceId));
    }
  });

  it('leaves audit-mode and exempt twins as they are, recording the drift it sees on both', async () => {
    for (const deviceId of [...auditMode(), ...exempt()]) {
      expect(readConfiguredSettings(profile, (await twinOf(deviceId)).properties.desired)['eventPriorityLogin'], deviceId).toBe('Off');
    }
    const table = TableClient.fromConnectionString(lab.info.storage.connectionString, 'SecurityTwinAudit', { allowInsecureConnection: true });
    const drift = new Set<string>();
    for await (const entity of table.listEntities<{ action: string }>({ queryOptions: { filter: "action eq 'drift-observed' and PartitionKey ne '%outbox'" } })) drift.add(entity.partitionKey!);
    expect([...drift].sort()).toEqual([...auditMode(), ...exempt()].sort());
  });

  it('patches no twin more than twice for one tampering, and audits one correction per twin', async () => {
    const { byDevice } = lab.simulator.stats();
    const tampered = kinds.flatMap(group);
    // The tampering itself is one PATCH through the same hub; the product's correction is at most one more.
    for (const deviceId of tampered) expect(byDevice[deviceId]?.updateModuleTwin ?? 0, deviceId).toBeLessThanOrEqual(2);
    const table = TableClient.fromConnectionString(lab.info.storage.connectionString, 'SecurityTwinAudit', { allowInsecureConnection: true });
    const corrections = new Map<string, number>();
    for await (const entity of table.listEntities<{ action: string }>({ queryOptions: { filter: "action eq 'corrected' and PartitionKey ne '%outbox'" } })) {
      corrections.set(entity.partitionKey!, (corrections.get(entity.partitionKey!) ?? 0) + 1);
    }
    for (const deviceId of tampered) expect(corrections.get(deviceId), deviceId).toBe(1);
  });

  it('gives devices whose module was deleted their module back in one sweep', async () => {
    for (const deviceId of deletedModules()) expect(lab.simulator.peekModuleTwin(deviceId, moduleId), deviceId).toBeUndefined();
    await lab.sweep();
    await lab.settle();
    for (const deviceId of deletedModules()) {
      expect(readConfiguredSettings(profile, (await twinOf(deviceId)).properties.desired), deviceId).toEqual(baselineSettings);
    }
  });

  it('re-delivers notifications after a processor crash without correcting anything twice', async () => {
    const [deviceId] = deviceIds.slice(900, 901) as [string];
    lab.twinChanges.crashBeforeNextCheckpoint();
    lab.simulator.resetStats();
    await tamperings['changed value']((await twinOf(deviceId)).etag, deviceId);
    await lab.settle();
    expect(lab.twinChanges.stats().redelivered).toBeGreaterThan(0);
    expect(readConfiguredSettings(profile, (await twinOf(deviceId)).properties.desired)).toEqual(baselineSettings);
    expect(lab.simulator.stats().byDevice[deviceId]?.updateModuleTwin).toBe(2);
  });

  it('backs off from a twin someone keeps changing back, and says so in the audit', async () => {
    const [deviceId] = deviceIds.slice(950, 951) as [string];
    for (let round = 0; round < 7; round++) {
      await tamperings['changed value']((await twinOf(deviceId)).etag, deviceId);
      await lab.settle();
    }
    // Five corrections are allowed within the window (CONTESTED_AFTER_CORRECTIONS); then the product backs off.
    expect(readConfiguredSettings(profile, (await twinOf(deviceId)).properties.desired)['eventPriorityLogin']).toBe('Off');
    const response = await fetch(`${lab.info.http.baseUrl}/devices/${deviceId}/audit`);
    const { records } = (await response.json()) as { records: Array<{ action: string; findings?: string[] }> };
    expect(records.filter((record) => record.action === 'corrected')).toHaveLength(5);
    expect(records.filter((record) => record.action === 'contested')).toHaveLength(1);
  });
});
