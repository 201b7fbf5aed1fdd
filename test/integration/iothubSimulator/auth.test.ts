// Authentication (SAS and bearer), the TLS/host-name setup clients use, and request-level checks.
import { request as httpsRequest, type Agent, type RequestOptions } from 'node:https';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, SharedAccessSignature } from 'azure-iothub';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import {
  connectRegistry,
  createSimulatorAgent,
  startIotHubSimulator,
  useSimulatorAgent,
  type IotHubSimulator,
  type TokenCredentialLike,
} from '../../local/iothubSimulator';
import { expectHubError, failureOf } from './helpers';

const ownerKey = randomBytes(32).toString('base64');
const ownerSecondaryKey = randomBytes(32).toString('base64');
const readerKey = randomBytes(32).toString('base64');
let simulator: IotHubSimulator;
let agent: Agent;
const bearerTokensSeen: string[] = [];

beforeAll(async () => {
  simulator = await startIotHubSimulator({
    hostName: 'auth-lab.azure-devices.net',
    throttle: false,
    sharedAccessPolicies: [
      { keyName: 'iothubowner', primaryKey: ownerKey, secondaryKey: ownerSecondaryKey },
      { keyName: 'registryRead', primaryKey: readerKey, rights: ['RegistryRead'] },
    ],
    acceptBearerToken: (token) => {
      bearerTokensSeen.push(token);
      return token === 'good-token';
    },
  });
  agent = createSimulatorAgent(simulator);
  simulator.seedDevices(2, { idPrefix: 'auth-' });
});

afterAll(async () => {
  await simulator.close();
});

function sas(resource: string, keyName: string, key: string, expiry = Math.floor(Date.now() / 1000) + 600): string {
  return SharedAccessSignature.create(resource, keyName, key, expiry).toString();
}

function registryWithSas(token: string): Registry {
  return useSimulatorAgent(new Registry({ host: simulator.hostName, sharedAccessSignature: token }), agent);
}

function credential(token: string): TokenCredentialLike {
  return { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** A request that bypasses the SDK, to send what the SDK never would. */
function plainRequest(options: RequestOptions): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(options, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('shared access signatures', () => {
  it('accepts the connection string through Registry.fromConnectionString', async () => {
    expect(simulator.connectionString).toBe(`HostName=auth-lab.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${ownerKey}`);

    const { responseBody: device } = await connectRegistry(simulator).get('auth-0');

    expect(device.deviceId).toBe('auth-0');
  });

  it('accepts tokens signed with the secondary key', async () => {
    const { responseBody: device } = await registryWithSas(sas(simulator.hostName, 'iothubowner', ownerSecondaryKey)).get('auth-0');

    expect(device.deviceId).toBe('auth-0');
  });

  it.each([
    ['a wrong key', () => sas('auth-lab.azure-devices.net', 'iothubowner', randomBytes(32).toString('base64'))],
    ['an unknown policy', () => sas('auth-lab.azure-devices.net', 'nobody', ownerKey)],
    ['an expired token', () => sas('auth-lab.azure-devices.net', 'iothubowner', ownerKey, Math.floor(Date.now() / 1000) - 1)],
    ['a token for another hub', () => sas('other-hub.azure-devices.net', 'iothubowner', ownerKey)],
    ['a tampered expiry', () => sas('auth-lab.azure-devices.net', 'iothubowner', ownerKey).replace(/se=(\d+)/, (_m, se: string) => `se=${Number(se) + 1}`)],
  ])('rejects %s with 401 IotHubUnauthorizedAccess (UnauthorizedError)', async (_label, token) => {
    const error = await failureOf(registryWithSas(token()).get('auth-0'));

    expectHubError(error, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
    expect(simulator.stats().rejected.auth?.getDevice).toBeGreaterThan(0);
  });

  it('rejects a connection string with a wrong key', async () => {
    const wrong = simulator.connectionString.replace(ownerKey, randomBytes(32).toString('base64'));

    const error = await failureOf(connectRegistry({ ...simulator.info, connectionString: wrong }).create({ deviceId: 'never' }));

    expectHubError(error, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
    expect(simulator.peekDevice('never')).toBeUndefined();
  });

  it('limits a token scoped to a resource path to requests under it', async () => {
    const scoped = registryWithSas(sas(`${simulator.hostName}/devices/auth-1`, 'iothubowner', ownerKey));

    const { responseBody: device } = await scoped.get('auth-1');
    const error = await failureOf(scoped.get('auth-0'));

    expect(device.deviceId).toBe('auth-1');
    expectHubError(error, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
  });

  it("enforces the policy's rights", async () => {
    const reader = registryWithSas(sas(simulator.hostName, 'registryRead', readerKey));

    const { responseBody: device } = await reader.get('auth-0');
    const { result: page } = await reader.createQuery('SELECT deviceId FROM devices').next();
    const write = await failureOf(reader.create({ deviceId: 'reader-made' }));
    const twin = await failureOf(reader.getTwin('auth-0'));

    expect(device.deviceId).toBe('auth-0');
    expect(page).toHaveLength(2);
    expectHubError(write, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
    expectHubError(twin, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
  });
});

describe('bearer tokens', () => {
  it('accepts a token the acceptBearerToken hook approves, via Registry.fromTokenCredential', async () => {
    const { responseBody: device } = await connectRegistry(simulator, { tokenCredential: credential('good-token') }).get('auth-0');

    expect(device.deviceId).toBe('auth-0');
    expect(bearerTokensSeen).toContain('good-token');
  });

  it('accepts a token via new Registry({host, tokenCredential, tokenScope}, restApiClient)', async () => {
    const config = { host: simulator.hostName, tokenCredential: credential('good-token'), tokenScope: 'https://iothubs.azure.net/.default' };
    const rest = new RestApiClient(config, 'smt-tests');
    const registry = new Registry(config, rest);
    rest.setOptions({ http: { agent } });

    const { responseBody: twin } = await registry.getTwin('auth-1');

    expect(twin.deviceId).toBe('auth-1');
  });

  it('rejects a token the hook refuses, and every bearer token by default', async () => {
    const refused = await failureOf(connectRegistry(simulator, { tokenCredential: credential('bad-token') }).get('auth-0'));
    const strict = await startIotHubSimulator({ throttle: false });
    const byDefault = await failureOf(connectRegistry(strict, { tokenCredential: credential('good-token') }).get('auth-0'));
    await strict.close();

    expectHubError(refused, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
    expectHubError(byDefault, 'UnauthorizedError', 401, 'IotHubUnauthorizedAccess');
  });
});

describe('transport', () => {
  const path = '/devices/auth-0?api-version=2021-04-12';
  const authorization = (): string => sas(simulator.hostName, 'iothubowner', ownerKey);

  it('answers a request without Authorization with 401', async () => {
    const response = await plainRequest({ host: simulator.hostName, path, agent });

    expect(response.status).toBe(401);
    expect(response.headers['iothub-errorcode']).toBe('IotHubUnauthorizedAccess');
  });

  it('serves only requests whose Host header names this hub', async () => {
    const response = await plainRequest({ host: simulator.hostName, path, agent, servername: simulator.hostName, headers: { host: 'other-hub.azure-devices.net', authorization: authorization() } });

    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ Message: expect.stringMatching(/^ErrorCode:IotHubNotFound;/) });
  });

  it('requires a supported api-version', async () => {
    const response = await plainRequest({ host: simulator.hostName, path: '/devices/auth-0?api-version=2016-11-14', agent, headers: { authorization: authorization() } });

    expect(response.status).toBe(400);
    expect(response.headers['iothub-errorcode']).toBe('InvalidProtocolVersion');
  });

  it('presents a certificate valid for the hub name, localhost and 127.0.0.1, and nothing else', async () => {
    const viaIp = await plainRequest({ host: '127.0.0.1', port: simulator.port, path, ca: simulator.caCertificatePem, headers: { host: simulator.hostName, authorization: authorization() } });
    const viaLocalhost = await plainRequest({ host: 'localhost', port: simulator.port, path, ca: simulator.caCertificatePem, lookup: (_h, _o, done) => done(null, [{ address: '127.0.0.1', family: 4 }]), headers: { host: simulator.hostName, authorization: authorization() } });
    const otherName = await failureOf(connectRegistry({ ...simulator.info, hostName: 'other-hub.azure-devices.net', connectionString: simulator.connectionString.replace('auth-lab', 'other-hub') }).get('auth-0'));
    const untrusted = await failureOf(plainRequest({ host: '127.0.0.1', port: simulator.port, path }));

    expect(viaIp.status).toBe(200);
    expect(viaLocalhost.status).toBe(200);
    expect(otherName.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(untrusted.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('routes the SDK to the loopback port without a port in HostName', () => {
    expect(simulator.connectionString).not.toMatch(/:\d+/);
    expect(simulator.port).toBeGreaterThan(0);
    expect(simulator.info).toEqual({ hostName: simulator.hostName, port: simulator.port, caCertificatePem: simulator.caCertificatePem, connectionString: simulator.connectionString });
  });
});
