import { describe, expect, it } from 'vitest';
import { labBanner, type BannerLab } from '../../local/lab/labBanner';
import { labStateFiles } from '../../local/lab/labState';

const hubKey = 'c2VjcmV0LWh1Yi1rZXktdGhhdC1tdXN0LW5vdC1sZWFr';
const storageKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const hubConnection = `HostName=smt-lab.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${hubKey}`;
const storageConnection = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${storageKey};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`;

const lab: BannerLab = {
  info: {
    startedAt: '2026-11-29T10:00:00.000Z',
    pid: 1,
    startupMs: 250,
    iotHub: { hubName: 'smt-lab', hostName: 'smt-lab.azure-devices.net', port: 8443, connectionString: hubConnection, caCertPath: '/repo/.lab/iothub-ca.pem', tier: 'S1', units: 1 },
    http: { baseUrl: 'http://127.0.0.1:7071/api', hostUrl: 'http://127.0.0.1:7071' },
    eventGrid: { webhookUrl: 'http://127.0.0.1:7071/api/eventgrid/device-created' },
    storage: { connectionString: storageConnection, tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1' },
    auditStream: { connectionString: `Endpoint=sb://127.0.0.1:5671/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${hubKey}`, eventHubName: 'security-audit' },
    functions: ['onDeviceCreated'],
  },
  settings: {
    IOTHUB_CONNECTION_STRING: hubConnection,
    AzureWebJobsStorage: storageConnection,
    SAS_ECHO_FOR_TEST: `SharedAccessSignature sr=smt-lab.azure-devices.net&sig=abc%2Bdef%3D&se=1893456000&skn=iothubowner`,
    DEVICE_ID_PATTERN: 'sensor-.*',
  },
  eventRoutes: [],
  stateFiles: labStateFiles('/repo/.lab'),
  restored: { devices: 20, pendingEvents: 3 },
  seeded: { kept: 20, added: 5 },
};

describe('the lab banner', () => {
  const banner = labBanner(lab, { DEVICE_ID_PATTERN: 'sensor-.*' }, '/repo');

  it('lists every setting in force, marking those given with --set', () => {
    for (const name of Object.keys(lab.settings)) expect(banner).toContain(name);
    expect(banner).toMatch(/DEVICE_ID_PATTERN\s+sensor-\.\*\s+\(--set\)/);
    expect(banner).toContain('HostName=smt-lab.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=***');
  });

  it('prints no key, signature or whole connection string', () => {
    expect(banner).not.toContain(hubKey);
    expect(banner).not.toContain(storageKey);
    expect(banner).not.toContain('abc%2Bdef%3D');
    expect(banner).not.toContain(hubConnection);
  });

  it('says what the state folder gave back, relative to where the lab was started', () => {
    expect(banner).toContain('Devices            25 (20 kept in .lab, 5 seeded now); 3 undelivered events resumed');
    expect(banner).toContain('Connection details for clients: .lab/lab.json. Press Ctrl-C to stop.');
  });
});
