// A port the lab was told to listen on cannot be had: a user error to answer with one line naming the option
// that chooses the port, not a stack trace from deep inside net.Server.
import { createServer } from 'node:net';

type LabListener = 'functionsHost' | 'iotHub';

export class PortUnavailableError extends Error {
  constructor(
    readonly listener: LabListener,
    readonly port: number,
    /** 'in-use': another process listens there (EADDRINUSE); 'denied': not allowed to (EACCES). */
    readonly reason: 'in-use' | 'denied',
  ) {
    super(`port ${port} for the ${listener === 'functionsHost' ? 'Functions host' : 'IoT Hub simulator'} is ${reason === 'in-use' ? 'in use' : 'not allowed'}`);
    this.name = 'PortUnavailableError';
  }
}

/** Runs `start` (which listens on `port`) and turns its address errors into a PortUnavailableError. */
export async function listenOn<T>(listener: LabListener, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'EADDRINUSE') throw new PortUnavailableError(listener, port, 'in-use');
    if (code === 'EACCES') throw new PortUnavailableError(listener, port, 'denied');
    throw error;
  }
}

/**
 * Fails fast, before anything is started, when a chosen port cannot be had (listenOn still guards the real
 * listen: the port can be taken in between). Port 0 always can.
 */
export async function assertPortAvailable(listener: LabListener, port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOn(listener, port, () => new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => resolve());
  }));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
