import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../composition';
import { invocationLogger } from './invocationLogger';

/** GET /api/devices/{deviceId}/audit — every change the product made to that device's security module twin. */
export async function getDeviceAudit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const deviceId = request.params['deviceId'];
  if (deviceId === undefined || deviceId === '' || deviceId.length > 128) {
    return { status: 400, jsonBody: { error: 'deviceId must be 1-128 characters' } };
  }
  try {
    const records = await getServices().audit.listForDevice(deviceId);
    return { status: 200, jsonBody: { deviceId, records } };
  } catch (error) {
    invocationLogger(context).error('Could not read the audit table', { deviceId, error: error instanceof Error ? error.message : String(error) });
    return { status: 503, jsonBody: { error: 'The audit table could not be read; see the function logs.' } };
  }
}

app.http('getDeviceAudit', { methods: ['GET'], authLevel: 'function', route: 'devices/{deviceId}/audit', handler: getDeviceAudit });
