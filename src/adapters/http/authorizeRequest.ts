import { decideAccess, type Actor, type AppRole, type HttpAuthMode } from '../../domain/httpAuthorization';
import { readClientPrincipal, type RequestHeaders } from './clientPrincipal';
import type { JsonHttpResponse } from './httpFailureResponse';
import { invocationLogger, type InvocationLogMethods } from '../logging/invocationLogger';

export type RequestAccess = { readonly allowed: true; readonly actor: Actor } | { readonly allowed: false; readonly response: JsonHttpResponse };

/**
 * The check every HTTP handler makes before its use case: the caller's principal against the route's role
 * (src/domain/httpAuthorization.ts). Allowed, the actor to hand to a use case that records who changed
 * something; refused, the 401 or 403 to answer, with a body that names the role, logged as a warning so
 * refused callers show up in the function logs.
 */
export function authorizeRequest(
  request: { readonly headers: RequestHeaders },
  requiredRole: AppRole,
  mode: HttpAuthMode,
  context: InvocationLogMethods & { readonly invocationId: string },
): RequestAccess {
  const decision = decideAccess(readClientPrincipal(request.headers), requiredRole, mode === 'appRoles');
  if (decision.allowed) return decision;
  const { status, code, reason } = decision;
  invocationLogger(context).warn('Request refused', { invocationId: context.invocationId, status, code, requiredRole, reason });
  return { allowed: false, response: { status, jsonBody: { error: `Not allowed: ${reason}`, code, requiredRole } } };
}
