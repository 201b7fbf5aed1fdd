// GET /api/devices/{deviceId}/audit called as the worker calls it: a real HttpRequest (with the route's
// parameter) and InvocationContext, the real use cases behind getServices() over the in-memory fakes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvariantError, TransientError } from '../../../src/domain/productError';
import { getDeviceAudit } from '../../../src/functions/getDeviceAudit';
import { capturingInvocation, readLogLines, testHttpRequest } from '../../support/functions/invocation';
import { installServicesOverFakes, type InstalledServicesOverFakes } from '../../support/servicesOverFakes';

const invocationId = 'inv-device-audit';

let env: InstalledServicesOverFakes;

beforeEach(() => {
  env = installServicesOverFakes();
});

afterEach(() => {
  env.restore();
});

/** The request the host makes from `GET /api/devices/{deviceId}/audit`; no `deviceId` is a request whose parameter is missing. */
async function get(deviceId?: string) {
  const { context, lines } = capturingInvocation('getDeviceAudit', invocationId);
  const request = testHttpRequest({
    method: 'GET',
    path: `/api/devices/${encodeURIComponent(deviceId ?? '')}/audit`,
    ...(deviceId === undefined ? {} : { params: { deviceId } }),
  });
  const response = await getDeviceAudit(request, context);
  return { response, lines, logged: readLogLines(lines) };
}

async function provision(deviceId: string, eventId: string): Promise<void> {
  env.registry.addDevice(deviceId);
  const [result] = await env.services.provisionDeviceCreatedEvents([{ deviceId, eventId }], env.clock.now());
  expect(result).toMatchObject({ status: 'done', outcome: { kind: 'provisioned' } });
}

describe('getDeviceAudit', () => {
  it("answers 200 with the device's records only, and logs nothing", async () => {
    await provision('sensor-1', 'event-1');
    await provision('sensor-2', 'event-2');

    const { response, lines } = await get('sensor-1');

    expect(response.status).toBe(200);
    expect(response.jsonBody).toEqual({
      deviceId: 'sensor-1',
      records: [expect.objectContaining({ action: 'provisioned', deviceId: 'sensor-1', correlationId: 'event-1', baselineName: 'default', baselineVersion: 1, twinVersion: 2 })],
    });
    expect(lines).toEqual([]);
  });

  it('answers 200 with no records for a device the product never changed', async () => {
    const { response } = await get('never-seen#1');

    expect(response).toEqual({ status: 200, jsonBody: { deviceId: 'never-seen#1', records: [] } });
  });

  it.each([
    ['no device id', undefined, 'deviceId must be 1-128 characters, got 0'],
    ['a device id longer than IoT Hub allows', 'd'.repeat(129), 'deviceId must be 1-128 characters, got 129'],
  ])('answers 400 for %s, reads no record, and logs a warning without a stack', async (_what, deviceId, message) => {
    const listForDevice = vi.spyOn(env.audit, 'listForDevice');

    const { response, logged } = await get(deviceId);

    expect(response).toEqual({ status: 400, jsonBody: { error: message, code: 'InvalidDeviceId', issues: [] } });
    expect(logged).toEqual([
      {
        level: 'warning',
        message: 'Could not read the audit records',
        properties: { invocationId, deviceId: deviceId ?? '', errorKind: 'validation', errorCode: 'InvalidDeviceId', error: message },
      },
    ]);
    expect(listForDevice).not.toHaveBeenCalled();
  });

  it('answers 503 with Retry-After for a transient failure, and logs a warning without a stack', async () => {
    vi.spyOn(env.audit, 'listForDevice').mockRejectedValue(new TransientError('ServerBusy', 'the audit table is busy', { retryAfterMs: 2_500 }));

    const { response, logged } = await get('sensor-1');

    expect(response).toEqual({ status: 503, jsonBody: { error: 'Could not read the audit records: the audit table is busy', code: 'ServerBusy' }, headers: { 'retry-after': '3' } });
    expect(logged).toEqual([
      {
        level: 'warning',
        message: 'Could not read the audit records',
        properties: { invocationId, deviceId: 'sensor-1', errorKind: 'transient', errorCode: 'ServerBusy', error: 'the audit table is busy' },
      },
    ]);
  });

  it.each([
    ['an error no adapter translated', new Error('connect ECONNREFUSED 127.0.0.1:10002; AccountKey=c2VjcmV0LWtleQ==')],
    ['a broken invariant', new InvariantError('RecordUnreadable', 'an audit record without an action')],
  ])('answers 500 without internals for %s, and logs it as an error with its stack and no credential', async (_what, bug) => {
    vi.spyOn(env.audit, 'listForDevice').mockRejectedValue(bug);

    const { response, lines, logged } = await get('sensor-1');

    expect(response).toEqual({ status: 500, jsonBody: { error: `Could not read the audit records: internal error; see the function logs for invocation ${invocationId}` } });
    expect(logged).toEqual([{ level: 'error', message: 'Could not read the audit records', properties: expect.objectContaining({ invocationId, deviceId: 'sensor-1' }) }]);
    expect(logged[0]!.properties['stack']).toEqual(expect.stringContaining(`${bug.name}: `));
    expect(logged[0]!.properties['stack']).toEqual(expect.stringContaining('\n    at '));
    expect(lines[0]!.text).not.toContain('c2VjcmV0LWtleQ');
  });
});
