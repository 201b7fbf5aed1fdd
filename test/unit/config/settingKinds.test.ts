import { describe, expect, it } from 'vitest';
import { checkedText, connectionString, hostAndPort, integer, json, oneOf, tableName, trueOrFalse } from '../../../src/config/settingKinds';

describe('setting kinds', () => {
  it('integer: decimal digits within the range only', () => {
    const units = integer({ min: 1, max: 200 });
    expect(units.parse('1')).toEqual({ ok: true, value: 1 });
    expect(units.parse('+200')).toEqual({ ok: true, value: 200 });
    for (const text of ['0', '201', '1.5', '1e2', '0x10', 'ten', '99999999999999999999']) {
      expect(units.parse(text)).toEqual({ ok: false, problem: `'${text}' is not a whole number from 1 to 200` });
    }
    expect(units.format(20)).toBe('20');
    expect(units.accepts).toBe('Whole number, 1 to 200.');
  });

  it('oneOf: any case in, the set\u2019s own spelling out, and why the set is what it is', () => {
    const tier = oneOf(['F1', 'S1'] as const, 'basic tiers have no twins');
    expect(tier.parse('s1')).toEqual({ ok: true, value: 'S1' });
    expect(tier.parse('B1')).toEqual({ ok: false, problem: "'B1' is not one of F1, S1 (basic tiers have no twins)" });
    expect(oneOf(['a', 'b']).parse('c')).toEqual({ ok: false, problem: "'c' is not one of a, b" });
    expect(tier.accepts).toBe('One of `F1`, `S1`.');
  });

  it('trueOrFalse: the two words, in any case', () => {
    expect(trueOrFalse.parse('True')).toEqual({ ok: true, value: true });
    expect(trueOrFalse.parse('FALSE')).toEqual({ ok: true, value: false });
    expect(trueOrFalse.parse('1')).toEqual({ ok: false, problem: "'1' is not true or false" });
    expect(trueOrFalse.format(false)).toBe('false');
  });

  it('json: any JSON value, and where the mistake is otherwise', () => {
    expect(json.parse('{"a":[1]}')).toEqual({ ok: true, value: { a: [1] } });
    expect(json.parse('{oops')).toMatchObject({ ok: false, problem: expect.stringMatching(/^not valid JSON \(.+\)$/) });
    expect(json.format({})).toBe('{}');
  });

  it('tableName: Azure Table Storage\u2019s rule', () => {
    expect(tableName.parse('Audit2')).toEqual({ ok: true, value: 'Audit2' });
    for (const text of ['ab', '2audit', 'audit-log', `a${'b'.repeat(63)}`]) expect(tableName.parse(text).ok).toBe(false);
  });

  it('hostAndPort: names, IPv4 and bracketed IPv6, ports 1 to 65535, written back as read', () => {
    expect(hostAndPort.parse('127.0.0.1:443')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 443 } });
    expect(hostAndPort.parse('[::1]:8443')).toEqual({ ok: true, value: { host: '::1', port: 8443 } });
    expect(hostAndPort.format({ host: '::1', port: 8443 })).toBe('[::1]:8443');
    expect(hostAndPort.format({ host: 'hub.local', port: 1 })).toBe('hub.local:1');
    for (const text of ['nowhere', 'hub:0', 'hub:65536', '::1:443', 'hub: 443']) expect(hostAndPort.parse(text)).toEqual({ ok: false, problem: `'${text}' is not host:port` });
  });

  it('connectionString: the required parts, values that contain "=", an empty part counted as missing', () => {
    const kind = connectionString(['HostName', 'SharedAccessKey']);
    const text = 'HostName=hub.azure-devices.net; SharedAccessKey=a2V5PQ==;Extra=1';
    expect(kind.parse(text)).toEqual({ ok: true, value: { text, parts: { HostName: 'hub.azure-devices.net', SharedAccessKey: 'a2V5PQ==' } } });
    expect(kind.parse('HostName=hub;SharedAccessKey=')).toEqual({ ok: false, problem: 'missing SharedAccessKey (expected HostName=...;SharedAccessKey=...)' });
    expect(kind.accepts).toBe('Form `HostName=…;SharedAccessKey=…`.');
  });

  it('checkedText: the owner\u2019s rule decides', () => {
    const lowerCase = checkedText((text) => (text === text.toLowerCase() ? undefined : `'${text}' has capitals`), 'Lower case.');
    expect(lowerCase.parse('abc')).toEqual({ ok: true, value: 'abc' });
    expect(lowerCase.parse('Abc')).toEqual({ ok: false, problem: "'Abc' has capitals" });
  });
});
