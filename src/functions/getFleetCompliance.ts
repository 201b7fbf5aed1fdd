import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';

/**
 * GET /api/compliance — the fleet's security module twins counted by compliance state, from hub queries:
 * `{ asOf, twinsRead, counts }`. The count is kept for COMPLIANCE_CACHE_SECONDS, so repeated calls cost no
 * queries and `asOf` says how old it is.
 */
export async function getFleetCompliance(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    return { status: 200, jsonBody: await getServices().fleetCompliance() };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not count the compliance of the fleet', context.invocationId);
  }
}

app.http('getFleetCompliance', { methods: ['GET'], authLevel: 'function', route: 'compliance', handler: getFleetCompliance });
