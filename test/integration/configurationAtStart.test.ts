// A bad or missing setting stops the app when the worker starts, with one message naming every bad key
// (the appStart hook), rather than on the first device event. Own file: appStart runs once per process.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFunctionsHost, LogBuffer } from '../local/functionsHost';

describe('configuration at worker start', () => {
  it('fails the start with every bad key named', async () => {
    const loading = LocalFunctionsHost.load({
      functionModules: [join(__dirname, '../../src/main.ts')],
      logger: new LogBuffer(),
      settings: { IOTHUB_CREDENTIAL: 'connectionString', IOTHUB_TIER: 'S9', SECURITY_AGENT_PROFILE: 'unknown-agent' },
    });
    await expect(loading).rejects.toThrow(/Invalid configuration \(4 problems\)/);
    await expect(loading).rejects.toThrow(/IOTHUB_CONNECTION_STRING: required when IOTHUB_CREDENTIAL is connectionString/);
    await expect(loading).rejects.toThrow(/IOTHUB_TIER: 'S9'/);
    await expect(loading).rejects.toThrow(/SECURITY_AGENT_PROFILE: 'unknown-agent'/);
    await expect(loading).rejects.toThrow(/PRODUCT_STORAGE_CONNECTION_STRING: required/);
  });
});
