// GET /api/devices/{deviceId}/compliance called as the worker calls it: a real HttpRequest (with the route's
// parameter) and InvocationContext, the real use cases behind getServices() over the in-memory fakes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvariantError, TransientError } from '../../../src/domain/productError';
import { getDeviceCompliance } from '../../../src/functions/getDeviceCompliance';
import { capturingInvocation, readLogLines, testHttpRequest } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const invocationId = 'inv-device-compliance';
const what = 'Could not read the compliance of the device';

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes();
});

afterEach(() => {
  env.restore();
});

async function get(deviceId?: string) {
  const { context, lines } = capturingInvocation('getDeviceCompliance', invocationId);
  const request = testHttpRequest({
    method: 'GET',
    path: `/api/devices/${encodeURIComponent(deviceId ?? '')}/compliance`,
    ...(deviceId === undefined ? {} : { params: { deviceId } }),
  });
  const response = await getDeviceCompliance(request, context);
  return { response, lines, logged: readLogLines(lines) };
}

async function provision(deviceId: string): Promise<void> {
  env.registry.addDevice(deviceId);
  const [result] = await env.services.provisionDeviceCreatedEvents([{ deviceId, eventId: `event-${deviceId}` }], env.clock.now());
  expect(result).toMatchObject({ status: 'done', outcome: { kind: 'provisioned' } });
}

describe('getDeviceCompliance', () => {
  it('answers 200 with the state, the reason, the assignment and the baseline of a provisioned twin, and logs nothing', async () => {
    await provision('sensor-1');

    const { response, lines } = await get('sensor-1');

    expect(response).toEqual({
      status: 200,
      jsonBody: {
        deviceId: 'sensor-1',
        state: 'pending',
        reason: 'the agent has not reported its configuration yet',
        assignment: expect.objectContaining({ name: 'default', version: 1, mode: 'enforce' }),
        baseline: { name: 'default', version: 1, profile: 'asc-classic', description: expect.any(String) },
      },
    });
    expect(lines).toEqual([]);
  });

  it('answers 200 unmanaged for a device without the security module', async () => {
    env.registry.addDevice('bare-1');

    const { response } = await get('bare-1');

    expect(response).toEqual({
      status: 200,
      jsonBody: { deviceId: 'bare-1', state: 'unmanaged', reason: 'the device has no azureiotsecurity module (or the device does not exist)' },
    });
  });

  it.each([
    ['no device id', undefined, 'deviceId must be 1-128 characters, got 0'],
    ['a device id longer than IoT Hub allows', 'd'.repeat(129), 'deviceId must be 1-128 characters, got 129'],
  ])('answers 400 for %s, reads no twin, and logs a warning without a stack', async (_what, deviceId, message) => {
    const { response, logged } = await get(deviceId);

    expect(response).toEqual({ status: 400, jsonBody: { error: message, code: 'InvalidDeviceId', issues: [] } });
    expect(logged).toEqual([
      { level: 'warning', message: what, properties: { invocationId, deviceId: deviceId ?? '', errorKind: 'validation', errorCode: 'InvalidDeviceId', error: message } },
    ]);
    expect(env.registry.calls).toEqual([]);
  });

  it('answers 503 with Retry-After when the hub is throttling', async () => {
    vi.spyOn(env.registry, 'getModuleTwin').mockRejectedValue(new TransientError('ThrottlingException', 'twin reads throttled', { retryAfterMs: 1_200 }));

    const { response, logged } = await get('sensor-1');

    expect(response).toEqual({ status: 503, jsonBody: { error: `${what}: twin reads throttled`, code: 'ThrottlingException' }, headers: { 'retry-after': '2' } });
    expect(logged).toEqual([
      { level: 'warning', message: what, properties: { invocationId, deviceId: 'sensor-1', errorKind: 'transient', errorCode: 'ThrottlingException', error: 'twin reads throttled' } },
    ]);
  });

  it('answers 500 without internals for a bug, and logs it with its stack', async () => {
    vi.spyOn(env.registry, 'getModuleTwin').mockRejectedValue(new InvariantError('TwinUnreadable', 'a twin without tags'));

    const { response, logged } = await get('sensor-1');

    expect(response).toEqual({ status: 500, jsonBody: { error: `${what}: internal error; see the function logs for invocation ${invocationId}` } });
    expect(logged).toEqual([{ level: 'error', message: what, properties: expect.objectContaining({ invocationId, deviceId: 'sensor-1', stack: expect.stringContaining('InvariantError: ') }) }]);
  });
});
