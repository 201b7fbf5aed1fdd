import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizeRequest } from '../adapters/http/authorizeRequest';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';
import { routeRoles } from '../domain/httpAuthorization';

/** GET /api/baselines/default — the baseline version that new devices get now. */
export async function getDefaultBaseline(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = getServices();
    const access = authorizeRequest(request, routeRoles.getDefaultBaseline, services.config().http.authMode, context);
    if (!access.allowed) return access.response;
    return { status: 200, jsonBody: await services.defaultBaseline() };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not read the default baseline', context.invocationId);
  }
}

app.http('getDefaultBaseline', { methods: ['GET'], authLevel: 'function', route: 'baselines/default', handler: getDefaultBaseline });
