import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { authorizeRequest } from '../adapters/http/authorizeRequest';
import { httpFailureResponse } from '../adapters/http/httpFailureResponse';
import { invocationLogger } from '../adapters/logging/invocationLogger';
import { getServices } from '../composition';
import { routeRoles } from '../domain/httpAuthorization';

/**
 * GET /api/devices/{deviceId}/compliance — whether the device's security module twin holds its assigned
 * baseline and its agent took it: the state, why, and the assignment and baseline it was checked against.
 * A device without the module is a state (`unmanaged`), not a 404.
 */
export async function getDeviceCompliance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deviceId = request.params['deviceId'] ?? '';
  try {
    const services = getServices();
    const access = authorizeRequest(request, routeRoles.getDeviceCompliance, services.config().http.authMode, context);
    if (!access.allowed) return access.response;
    return { status: 200, jsonBody: await services.deviceCompliance(deviceId) };
  } catch (error) {
    return httpFailureResponse(invocationLogger(context), error, 'Could not read the compliance of the device', context.invocationId, { deviceId });
  }
}

app.http('getDeviceCompliance', { methods: ['GET'], authLevel: 'function', route: 'devices/{deviceId}/compliance', handler: getDeviceCompliance });
