// Who may call which HTTP route. The Functions host checks the function key before any of this runs; when App
// Service Authentication (Entra ID) is in front of the app, the caller's app roles are checked here as well.
// Pure rules: the header parsing is an adapter (src/adapters/http/clientPrincipal.ts).

/** The app roles of the app registration, as Entra ID puts them in the token's `roles` claim. */
export const appRoles = ['reader', 'operator', 'approver'] as const;
export type AppRole = (typeof appRoles)[number];

/**
 * How HTTP callers are checked: `functionKey` trusts whoever holds a function key (App Service Authentication
 * is off, so any identity header could be forged and none is read); `appRoles` requires the principal App
 * Service Authentication puts in front of each request, with the route's role.
 */
export const httpAuthModes = ['functionKey', 'appRoles'] as const;
export type HttpAuthMode = (typeof httpAuthModes)[number];

/** The caller as App Service Authentication names it; `roles` are every role claim, known to this app or not. */
export interface Principal {
  readonly name: string;
  readonly id: string;
  readonly roles: readonly string[];
}

/**
 * Who made a call, as a use case records it in the audit records of what the call changed. Without App Service
 * Authentication the caller is only known to hold a function key, and is recorded as such.
 */
export interface Actor {
  readonly name: string;
  readonly id: string;
  readonly roles: readonly AppRole[];
  readonly authenticatedBy: 'appService' | 'functionKey';
}

/** The actor of every call when App Service Authentication is off: no identity header can be trusted then. */
export const functionKeyActor: Actor = { name: 'function key holder', id: '', roles: [], authenticatedBy: 'functionKey' };

/**
 * The role each HTTP function needs. Reads need `reader`; the rollout's routes will add themselves here
 * (starting, cancelling and rolling back need `operator`, approving a wave `approver`). The Event Grid webhook
 * is not listed: Event Grid cannot sign in through App Service Authentication, so it keeps the function key alone.
 */
export const routeRoles = {
  getDefaultBaseline: 'reader',
  getDeviceAudit: 'reader',
  getDeviceCompliance: 'reader',
  getFleetCompliance: 'reader',
} as const satisfies Readonly<Record<string, AppRole>>;

/** Roles a holder of each role also has: whoever may change or approve may also read. */
const impliedRoles: Readonly<Record<AppRole, readonly AppRole[]>> = {
  reader: ['reader'],
  operator: ['operator', 'reader'],
  approver: ['approver', 'reader'],
};

/** The app roles a principal holds, with those they imply, in `appRoles` order; roles of other apps are dropped. */
export function effectiveRoles(roles: readonly string[]): AppRole[] {
  const held = new Set<AppRole>();
  for (const role of roles) {
    const known = appRoles.find((candidate) => candidate.toLowerCase() === role.trim().toLowerCase());
    if (known !== undefined) for (const implied of impliedRoles[known]) held.add(implied);
  }
  return appRoles.filter((role) => held.has(role));
}

export type AccessDecision =
  | { readonly allowed: true; readonly actor: Actor }
  | {
      readonly allowed: false;
      readonly status: 401 | 403;
      readonly code: 'AuthenticationRequired' | 'RoleRequired';
      readonly requiredRole: AppRole;
      readonly reason: string;
    };

/**
 * Whether a caller may use a route that needs `requiredRole`. Without required authentication the function
 * key was the check and the caller is the function-key actor. With it, no principal is a 401 (App Service
 * Authentication let an anonymous request through) and a principal without the role a 403, each saying why.
 */
export function decideAccess(principal: Principal | undefined, requiredRole: AppRole, authenticationRequired: boolean): AccessDecision {
  if (!authenticationRequired) return { allowed: true, actor: functionKeyActor };
  if (principal === undefined) {
    return {
      allowed: false,
      status: 401,
      code: 'AuthenticationRequired',
      requiredRole,
      reason: `sign in through App Service Authentication (Entra ID) with app role '${requiredRole}'`,
    };
  }
  const roles = effectiveRoles(principal.roles);
  if (!roles.includes(requiredRole)) {
    const held = roles.length === 0 ? 'no app role of this app' : `only ${roles.map((role) => `'${role}'`).join(', ')}`;
    return {
      allowed: false,
      status: 403,
      code: 'RoleRequired',
      requiredRole,
      reason: `${describe(principal)} needs app role '${requiredRole}' and has ${held}`,
    };
  }
  return { allowed: true, actor: { name: principal.name, id: principal.id, roles, authenticatedBy: 'appService' } };
}

export type ApprovalDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Whether `approver` may approve what `starter` started, when the two must be different people. The same
 * person is the same object ID (the name is what Entra ID shows, and two people can share one); a function-key
 * caller has no identity, so separation cannot be shown and is refused.
 */
export function decideSeparateApprover(starter: Actor, approver: Actor, separationRequired: boolean): ApprovalDecision {
  if (!separationRequired) return { allowed: true };
  if (starter.authenticatedBy === 'functionKey' || approver.authenticatedBy === 'functionKey' || starter.id === '' || approver.id === '') {
    return { allowed: false, reason: 'approver and starter must be different people, and a caller without an App Service Authentication identity cannot be told apart' };
  }
  if (starter.id === approver.id) {
    return { allowed: false, reason: `${describe(approver)} started this and cannot also approve it: another person with app role 'approver' must` };
  }
  return { allowed: true };
}

function describe(principal: { readonly name: string; readonly id: string }): string {
  if (principal.name !== '') return `'${principal.name}'`;
  return principal.id === '' ? 'the caller' : `caller ${principal.id}`;
}
