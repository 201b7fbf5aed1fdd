import { ValidationError } from '../domain/productError';
import type { AuditRecord, AuditSink } from './ports/auditSink';

/** IoT Hub device IDs are 1-128 characters; anything else cannot have records and is a bad request. */
const maxDeviceIdLength = 128;

/** Every change the product made to a device's security module twin, and every finding about it, oldest first. */
export async function readDeviceAudit(audit: Pick<AuditSink, 'listForDevice'>, deviceId: string): Promise<AuditRecord[]> {
  if (deviceId === '' || deviceId.length > maxDeviceIdLength) {
    throw new ValidationError('InvalidDeviceId', `deviceId must be 1-${maxDeviceIdLength} characters, got ${deviceId.length}`);
  }
  return audit.listForDevice(deviceId);
}
