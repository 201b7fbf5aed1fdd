import { describe, expect, it } from 'vitest';
import {
  appRoles,
  decideAccess,
  decideSeparateApprover,
  effectiveRoles,
  functionKeyActor,
  routeRoles,
  type Actor,
  type AppRole,
  type Principal,
} from '../../../src/domain/httpAuthorization';

const alice: Principal = { name: 'alice@contoso.com', id: 'oid-alice', roles: ['operator'] };

function actor(id: string, name = id): Actor {
  return { name, id, roles: ['operator', 'reader', 'approver'], authenticatedBy: 'appService' };
}

describe('effectiveRoles', () => {
  it.each<[readonly string[], AppRole[]]>([
    [[], []],
    [['reader'], ['reader']],
    [['operator'], ['reader', 'operator']],
    [['approver'], ['reader', 'approver']],
    [['Approver ', 'OPERATOR'], ['reader', 'operator', 'approver']],
    [['Contoso.Admin', 'Task.Write'], []],
  ])('%j gives %j: operator and approver imply reader, other apps’ roles count for nothing', (held, expected) => {
    expect(effectiveRoles(held)).toEqual(expected);
  });
});

describe('decideAccess', () => {
  it('lets every caller through when only the function key is checked, as the function-key actor', () => {
    expect(decideAccess(undefined, 'approver', false)).toEqual({ allowed: true, actor: functionKeyActor });
    // A principal header cannot be trusted without App Service Authentication in front: it is not read.
    expect(decideAccess(alice, 'reader', false)).toEqual({ allowed: true, actor: functionKeyActor });
  });

  it('refuses a request without a principal with 401, naming the role', () => {
    expect(decideAccess(undefined, 'operator', true)).toEqual({
      allowed: false,
      status: 401,
      code: 'AuthenticationRequired',
      requiredRole: 'operator',
      reason: "sign in through App Service Authentication (Entra ID) with app role 'operator'",
    });
  });

  it.each<[string, Principal, string]>([
    ['no app role', { ...alice, roles: [] }, "'alice@contoso.com' needs app role 'approver' and has no app role of this app"],
    ['another role', alice, "'alice@contoso.com' needs app role 'approver' and has only 'reader', 'operator'"],
    ['no name', { name: '', id: 'oid-7', roles: ['reader'] }, "caller oid-7 needs app role 'approver' and has only 'reader'"],
    ['neither name nor id', { name: '', id: '', roles: ['x'] }, "the caller needs app role 'approver' and has no app role of this app"],
  ])('refuses a principal with %s with 403 and says what it has', (_what, principal, reason) => {
    expect(decideAccess(principal, 'approver', true)).toEqual({ allowed: false, status: 403, code: 'RoleRequired', requiredRole: 'approver', reason });
  });

  it('allows a principal with the role or one implying it, and names it as the actor', () => {
    expect(decideAccess(alice, 'reader', true)).toEqual({
      allowed: true,
      actor: { name: 'alice@contoso.com', id: 'oid-alice', roles: ['reader', 'operator'], authenticatedBy: 'appService' },
    });
    expect(decideAccess(alice, 'operator', true).allowed).toBe(true);
    expect(decideAccess({ ...alice, roles: ['approver'] }, 'operator', true).allowed).toBe(false);
  });

  it('gives every route a role of this app', () => {
    for (const role of Object.values(routeRoles)) expect(appRoles).toContain(role);
  });
});

describe('decideSeparateApprover', () => {
  it('allows anyone when separation is not required, even the starter', () => {
    expect(decideSeparateApprover(actor('oid-1'), actor('oid-1'), false)).toEqual({ allowed: true });
  });

  it('allows a different person', () => {
    expect(decideSeparateApprover(actor('oid-1', 'alice'), actor('oid-2', 'bob'), true)).toEqual({ allowed: true });
  });

  it('refuses the starter, telling people apart by object ID and not by name', () => {
    expect(decideSeparateApprover(actor('oid-1', 'alice'), actor('oid-1', 'Alice Smith'), true)).toEqual({
      allowed: false,
      reason: "'Alice Smith' started this and cannot also approve it: another person with app role 'approver' must",
    });
    expect(decideSeparateApprover(actor('oid-1', 'alex'), actor('oid-2', 'alex'), true)).toEqual({ allowed: true });
  });

  it.each([
    ['a function-key starter', functionKeyActor, actor('oid-2')],
    ['a function-key approver', actor('oid-1'), functionKeyActor],
    ['an approver without an object ID', actor('oid-1'), actor('', 'bob')],
    ['a starter without an object ID', actor('', 'alice'), actor('oid-2')],
  ])('refuses when it cannot tell the two apart: %s', (_what, starter, approver) => {
    const decision = decideSeparateApprover(starter, approver, true);
    expect(decision).toEqual({ allowed: false, reason: expect.stringContaining('cannot be told apart') });
  });
});
