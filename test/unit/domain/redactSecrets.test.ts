import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/domain/redactSecrets';

const key = 'c2VjcmV0LWtleS1ieXRlcy0wMTIzNDU2Nzg5YWJjZGVm';

describe('redactSecrets', () => {
  it.each([
    ['an IoT Hub connection string', `HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${key}`, 'SharedAccessKeyName=iothubowner;SharedAccessKey=***'],
    ['a Storage connection string', `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`, 'AccountKey=***;TableEndpoint'],
    ['an IoT Hub SAS token', `SharedAccessSignature sr=hub.azure-devices.net&sig=${encodeURIComponent(key)}&se=1999999999&skn=iothubowner`, 'sr=hub.azure-devices.net&sig=***&se=1999999999&skn=iothubowner'],
    ['a Storage SAS URL', `https://acct.blob.core.windows.net/c/b?sv=2021-08-06&se=2026&sr=b&sp=r&sig=${encodeURIComponent(key)}`, 'sp=r&sig=***'],
    ['a bearer token', `Bearer eyJ0eXAiOiJKV1Qi.${key}.abc`, 'Bearer ***'],
    ['an Authorization header', `Authorization: Bearer eyJ0eXAiOiJKV1Qi.${key}.abc`, 'Authorization: ***'],
    ['an authorization header in JSON', `{"headers":{"authorization":"SharedAccessSignature sr=x&sig=${key}&se=1"}}`, '"authorization":"***'],
    ['a Functions key in a URL', `https://app.azurewebsites.net/api/eventgrid/device-created?code=${key}&x=1`, '?code=***&x=1'],
    ['an x-functions-key header', `x-functions-key: ${key}`, 'x-functions-key: ***'],
  ])('masks %s', (_what, text, expected) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(key);
    expect(redacted).not.toContain(encodeURIComponent(key));
    expect(redacted).toContain(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'Device sensor-1: provisioned {"eventId":"e1","baseline":"default","version":3}';
    expect(redactSecrets(text)).toBe(text);
  });
});
