// The twin-change Event Hubs trigger called as the worker calls it: a batch of bodies with the trigger's
// metadata arrays, a real InvocationContext, the real use cases behind getServices() over in-memory fakes.
import { InvocationContext } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useServices } from '../../../src/composition';
import { getAgentProfile } from '../../../src/domain/agentProfiles';
import { readConfiguredSettings } from '../../../src/domain/desiredConfiguration';
import { TransientError } from '../../../src/domain/productError';
import { onTwinChanged } from '../../../src/functions/onTwinChanged';
import { readLogLine, type CapturedLogLine } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const profile = getAgentProfile('asc-classic');
const moduleId = profile.moduleId;
const container = 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration';

let env: InstalledServicesOverFakes;
beforeEach(() => {
  env = installServicesOverFakes();
});
afterEach(() => {
  env.restore();
});

interface Message {
  readonly body: unknown;
  readonly properties: Record<string, unknown>;
  readonly system?: Record<string, unknown>;
}

/** A twin-change notification as IoT Hub routes it: app properties deviceId/moduleId/opType, source in the system properties. */
/** `module: null` is a device twin's notification (no moduleId property). */
const change = (deviceId: string, body: Record<string, unknown>, module: string | null = moduleId): Message => ({
  body,
  properties: { hubName: 'smt-test-hub', deviceId, ...(module === null ? {} : { moduleId: module }), opType: 'updateTwin', 'iothub-message-schema': 'twinChangeNotification' },
  system: { 'iothub-message-source': 'twinChangeEvents', 'iothub-connection-device-id': deviceId },
});

async function deliver(messages: readonly Message[]) {
  const lines: CapturedLogLine[] = [];
  const context = new InvocationContext({
    invocationId: 'inv-twin-changes',
    functionName: 'onTwinChanged',
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }),
    triggerMetadata: { propertiesArray: messages.map((m) => m.properties), systemPropertiesArray: messages.map((m) => m.system ?? {}) },
  });
  await onTwinChanged(messages.map((m) => m.body), context);
  return lines.map(readLogLine);
}

async function provisioned(deviceId: string): Promise<void> {
  env.registry.addDevice(deviceId);
  const [result] = await env.services.provisionDeviceCreatedEvents([{ deviceId, eventId: `e-${deviceId}` }], env.clock.now());
  expect(result).toMatchObject({ status: 'done', outcome: { kind: 'provisioned' } });
}

describe('onTwinChanged', () => {
  it('corrects a tampered twin, logs the correction and one summary line', async () => {
    await provisioned('d1');
    env.registry.writeTwin('d1', moduleId, { properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } });

    const logged = await deliver([change('d1', { version: 3, properties: { desired: { [container]: { eventPriorityLogin: { value: 'Off' } } } } })]);

    expect(readConfiguredSettings(profile, env.registry.peekTwin('d1', moduleId)!.desired)).toEqual((await env.services.defaultBaseline()).settings);
    expect(logged.map((line) => [line.level, line.message])).toEqual([
      ['information', 'Device d1: corrected'],
      ['information', 'Twin-change batch of 1 notifications handled'],
    ]);
    expect(logged[1]!.properties).toMatchObject({ counts: { reconciled: 1, corrected: 1 }, twinsReconciled: 1 });
  });

  it('settles reported-property updates, other twins, other message sources and malformed messages without a hub call', async () => {
    env.registry.calls.length = 0;
    const logged = await deliver([
      change('d1', { version: 4, properties: { reported: { [container]: {} } } }),
      change('d1', { version: 4, tags: { site: 'a' } }, null),
      { body: { temperature: 21 }, properties: { deviceId: 'd1' }, system: { 'iothub-message-source': 'Telemetry' } },
      { body: 'not json', properties: { deviceId: 'd1', moduleId, opType: 'updateTwin' } },
    ]);

    expect(env.registry.calls).toEqual([]);
    expect(logged.map((line) => [line.level, line.message])).toEqual([
      ['error', 'Rejected malformed twin-change messages'],
      ['information', 'Twin-change batch of 4 notifications handled'],
    ]);
    expect(logged[1]!.properties).toMatchObject({ counts: { 'reported-only': 1, 'other-twin': 1, malformed: 1, 'not-twin-change': 1 }, twinsReconciled: 0 });
  });

  it('never throws: a failed reconcile is logged and left for the sweep, and so is a batch that cannot be handled at all', async () => {
    await provisioned('d1');
    env.registry.beforePatch = () => {
      throw new TransientError('ThrottlingException', 'slow down');
    };
    env.registry.writeTwin('d1', moduleId, { properties: { desired: { [container]: null } } });
    const failed = await deliver([change('d1', { version: 3, properties: { desired: { [container]: null } } })]);
    expect(failed.map((line) => [line.level, line.message])).toEqual([
      ['warning', 'Device d1: reconcile failed, left for the sweep'],
      ['information', 'Twin-change batch of 1 notifications handled'],
    ]);

    const restoreBroken = useServices({ ...env.services, enforceTwinChanges: () => Promise.reject(new Error('settings unreadable')) });
    try {
      const broken = await deliver([change('d1', { version: 3, properties: { desired: { [container]: null } } })]);
      expect(broken).toHaveLength(1);
      expect(broken[0]).toMatchObject({ level: 'error', message: 'Batch of 1 twin-change notifications could not be handled; left for the sweep' });
      expect(broken[0]!.properties['stack']).toContain('settings unreadable');
    } finally {
      restoreBroken();
    }
  });
});
