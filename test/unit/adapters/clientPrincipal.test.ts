// x-ms-client-principal as App Service Authentication sends it: base64 JSON of { auth_typ, name_typ,
// role_typ, claims: [{ typ, val }] }, with -name and -id headers beside it.
import { describe, expect, it } from 'vitest';
import { readClientPrincipal } from '../../../src/adapters/http/clientPrincipal';
import { appServicePrincipalHeaders } from '../../local/functionsHost/labPrincipal';

const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64');

/** Headers read as the Functions library's HttpRequest reads them: by lower-case name. */
function headers(values: Readonly<Record<string, string>>) {
  const lower = new Map(Object.entries(values).map(([name, value]) => [name.toLowerCase(), value]));
  return { get: (name: string) => lower.get(name.toLowerCase()) ?? null };
}

describe('readClientPrincipal', () => {
  it('reads what App Service Authentication sets after an Entra ID sign-in', () => {
    const sent = appServicePrincipalHeaders({ name: 'alice@contoso.com', id: 'oid-alice', roles: ['operator', 'approver'] });
    expect(readClientPrincipal(headers(sent))).toEqual({ name: 'alice@contoso.com', id: 'oid-alice', roles: ['operator', 'approver'] });
  });

  it('takes roles under the principal’s role_typ as well as `roles`, and name and id from the claims without the side headers', () => {
    const principal = {
      auth_typ: 'aad',
      name_typ: 'preferred_username',
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: [
        { typ: 'preferred_username', val: 'bob@contoso.com' },
        { typ: 'oid', val: 'oid-bob' },
        { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'reader' },
        { typ: 'roles', val: 'approver' },
        { typ: 'groups', val: 'operator' },
        { typ: 'roles', val: 42 },
        'not a claim',
      ],
    };
    expect(readClientPrincipal(headers({ 'X-MS-CLIENT-PRINCIPAL': encode(principal) }))).toEqual({ name: 'bob@contoso.com', id: 'oid-bob', roles: ['reader', 'approver'] });
  });

  it('answers an empty name and id when nothing names the caller', () => {
    expect(readClientPrincipal(headers({ 'x-ms-client-principal': encode({ claims: [{ typ: 'roles', val: 'reader' }] }) }))).toEqual({ name: '', id: '', roles: ['reader'] });
  });

  it.each([
    ['no header', {}],
    ['an empty header', { 'x-ms-client-principal': ' ' }],
    ['the name header alone', { 'x-ms-client-principal-name': 'mallory' }],
    ['a header that is not JSON', { 'x-ms-client-principal': encode('{"claims": [') }],
    ['JSON that is not an object', { 'x-ms-client-principal': encode([{ typ: 'roles', val: 'reader' }]) }],
    ['JSON null', { 'x-ms-client-principal': encode('null') }],
    ['an object without claims', { 'x-ms-client-principal': encode({ auth_typ: 'aad', claims: 'roles=reader' }) }],
  ])('finds no principal in %s', (_what, sent) => {
    expect(readClientPrincipal(headers(sent))).toBeUndefined();
  });
});
