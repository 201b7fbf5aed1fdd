import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizeRequest } from '../adapters/http/authorizeRequest';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';
import { routeRoles } from '../domain/httpAuthorization';

/** GET /api/devices/{deviceId}/audit — every change the product made to a device's security module twin, and every finding. */
export async function getDeviceAudit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deviceId = request.params['deviceId'] ?? '';
  try {
    const services = getServices();
    const access = authorizeRequest(request, routeRoles.getDeviceAudit, services.config().http.authMode, context);
    if (!access.allowed) return access.response;
    return { status: 200, jsonBody: { deviceId, records: await services.deviceAudit(deviceId) } };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not read the audit records', context.invocationId, { deviceId });
  }
}

app.http('getDeviceAudit', { methods: ['GET'], authLevel: 'function', route: 'devices/{deviceId}/audit', handler: getDeviceAudit });
