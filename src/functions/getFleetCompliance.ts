import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizeRequest } from '../adapters/http/authorizeRequest';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';
import { routeRoles } from '../domain/httpAuthorization';

/**
 * GET /api/compliance — the fleet's security module twins counted by compliance state, from hub queries:
 * `{ asOf, twinsRead, counts }`. The count is kept for COMPLIANCE_CACHE_SECONDS, so repeated calls cost no
 * queries and `asOf` says how old it is.
 */
export async function getFleetCompliance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const access = authorizeRequest(request, routeRoles.getFleetCompliance, services.config().http.authMode, context);
    if (!access.allowed) return access.response;
    return { status: 200, jsonBody: await services.fleetCompliance() };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not count the compliance of the fleet', context.invocationId);
  }
}

app.http('getFleetCompliance', { methods: ['GET'], authLevel: 'function', route: 'compliance', handler: getFleetCompliance });
