import { describe, expect, it } from 'vitest';
import { minimalSettings, problemsOf } from '../../support/configProblems';
import { loadConfig } from '../../../src/config';
import { eventHubName, eventHubsConnectionString, namespaceHostName } from '../../../src/config/settingKinds';

const minimal = minimalSettings;
const eventHubs = 'Endpoint=sb://smt.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0';

describe('audit stream settings', () => {
  it('has no audit stream when neither a connection string nor a namespace is set', () => {
    expect(loadConfig(minimal).auditStream).toBeUndefined();
  });

  it('reads a connection string, with the default hub and retry budget', () => {
    expect(loadConfig({ ...minimal, AUDIT_EVENT_HUB_CONNECTION_STRING: eventHubs }).auditStream).toEqual({
      eventHubName: 'security-audit',
      credential: { kind: 'connectionString', connectionString: eventHubs },
      retryBudgetMs: 5_000,
    });
  });

  it("takes the hub from the connection string's EntityPath unless one is named, and refuses two different names", () => {
    const scoped = `${eventHubs};EntityPath=siem-feed`;
    expect(loadConfig({ ...minimal, AUDIT_EVENT_HUB_CONNECTION_STRING: scoped }).auditStream?.eventHubName).toBe('siem-feed');
    expect(loadConfig({ ...minimal, AUDIT_EVENT_HUB_CONNECTION_STRING: scoped, AUDIT_EVENT_HUB_NAME: 'siem-feed' }).auditStream?.eventHubName).toBe('siem-feed');
    expect(problemsOf({ ...minimal, AUDIT_EVENT_HUB_CONNECTION_STRING: scoped, AUDIT_EVENT_HUB_NAME: 'other' })).toEqual([
      "AUDIT_EVENT_HUB_NAME: 'other' differs from the EntityPath of AUDIT_EVENT_HUB_CONNECTION_STRING",
    ]);
  });

  it('uses the managed identity with a namespace, and the user-assigned identity when named', () => {
    const config = loadConfig({
      ...minimal,
      AUDIT_EVENT_HUB_NAMESPACE: 'SMT.servicebus.windows.net',
      AUDIT_EVENT_HUB_NAME: 'audit',
      AZURE_CLIENT_ID: 'client-1',
      AUDIT_EVENT_HUB_RETRY_BUDGET_MS: '0',
    });
    expect(config.auditStream).toEqual({
      eventHubName: 'audit',
      credential: { kind: 'managedIdentity', fullyQualifiedNamespace: 'smt.servicebus.windows.net', clientId: 'client-1' },
      retryBudgetMs: 0,
    });
  });

  it('refuses both credentials at once, and malformed values, without repeating a key', () => {
    expect(problemsOf({ ...minimal, AUDIT_EVENT_HUB_CONNECTION_STRING: eventHubs, AUDIT_EVENT_HUB_NAMESPACE: 'smt.servicebus.windows.net' })).toEqual([
      'AUDIT_EVENT_HUB_CONNECTION_STRING: set this or AUDIT_EVENT_HUB_NAMESPACE, not both',
    ]);
    const problems = problemsOf({
      ...minimal,
      AUDIT_EVENT_HUB_CONNECTION_STRING: 'Endpoint=sb://smt.servicebus.windows.net/;SharedAccessKey=c2VjcmV0',
      AUDIT_EVENT_HUB_NAME: '-bad-',
      AUDIT_EVENT_HUB_RETRY_BUDGET_MS: 'soon',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('c2VjcmV0');
  });
});

describe('Event Hubs setting kinds', () => {
  it('reads connection strings with a key or a signature, and refuses others', () => {
    expect(eventHubsConnectionString.parse(eventHubs)).toEqual({ ok: true, value: { text: eventHubs } });
    const signature = 'Endpoint=sb://smt.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=send;EntityPath=h';
    expect(eventHubsConnectionString.parse(signature)).toEqual({ ok: true, value: { text: signature, entityPath: 'h' } });
    expect(eventHubsConnectionString.parse('HostName=hub.azure-devices.net;SharedAccessKeyName=a;SharedAccessKey=b')).toMatchObject({ ok: false, problem: expect.stringContaining('Endpoint=sb://') });
    expect(eventHubsConnectionString.parse('Endpoint=sb://smt.servicebus.windows.net/;SharedAccessKeyName=send')).toMatchObject({ ok: false });
    expect(eventHubsConnectionString.format({ text: eventHubs })).toBe(eventHubs);
  });

  it('reads hub names and namespace host names', () => {
    expect(eventHubName.parse('security-audit')).toEqual({ ok: true, value: 'security-audit' });
    expect(eventHubName.parse('a')).toEqual({ ok: true, value: 'a' });
    expect(eventHubName.parse('audit_')).toMatchObject({ ok: false });
    expect(eventHubName.parse('x'.repeat(257))).toMatchObject({ ok: false });
    expect(eventHubName.format('h')).toBe('h');
    expect(namespaceHostName.parse('Ns.servicebus.windows.net')).toEqual({ ok: true, value: 'ns.servicebus.windows.net' });
    expect(namespaceHostName.parse('sb://ns.servicebus.windows.net/')).toMatchObject({ ok: false });
    expect(namespaceHostName.parse('ns')).toMatchObject({ ok: false });
    expect(namespaceHostName.format('ns.servicebus.windows.net')).toBe('ns.servicebus.windows.net');
  });
});
