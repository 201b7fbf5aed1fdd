// The HTTPS front door: TLS on loopback, then per request
//   route → Host check → authentication → fault injection → tier check → throttle → operation
// Everything before "operation" either passes or answers/drops without touching hub state, which is what
// makes injected faults and throttling side-effect free.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HubAuthenticator } from './auth';
import { HubError, renderHubError } from './errors';
import type { FaultInjector, InjectedStatus } from './faults';
import type { JsonValue } from './json';
import { operationSpec, type OperationName } from './operations';
import type { HubRestApi } from './restApi';
import { matchRoute, type RouteMatch } from './routes';
import type { StatsCollector } from './stats';
import type { ThrottleModel } from './throttle';
import type { Clock } from './time';

/** Request bodies above this are refused (the largest legitimate body, a 100-device bulk request, is far smaller). */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const INJECTED_ERRORS: Readonly<Record<InjectedStatus, HubError>> = {
  429: new HubError('ThrottlingException', 'The request has been throttled. Wait 10 seconds and try again.'),
  500: new HubError('ServerError', 'An internal server error occurred.'),
  503: new HubError('ServiceUnavailable', 'The service is temporarily unavailable. Please try again later.'),
};

export interface ServerDependencies {
  readonly hostName: string;
  readonly clock: Clock;
  readonly authenticator: HubAuthenticator;
  readonly faults: FaultInjector;
  readonly throttle: ThrottleModel;
  readonly stats: StatsCollector;
  readonly api: HubRestApi;
}

interface Delay {
  readonly timer: NodeJS.Timeout;
  readonly resolve: () => void;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class HubServer {
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Set<Delay>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly deps: ServerDependencies,
  ) {}

  static async start(port: number, tls: { certificatePem: string; privateKeyPem: string }, deps: ServerDependencies): Promise<HubServer> {
    const server = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem });
    const hub = new HubServer(server, deps);
    // The SDK keeps connections alive; a server that times idle sockets out first races the client reusing
    // them (ECONNRESET on a healthy request). Hold them longer than any test, close() ends them explicitly.
    server.keepAliveTimeout = 10 * 60 * 1000;
    server.headersTimeout = 10 * 60 * 1000 + 1000;
    server.on('connection', (socket: Socket) => {
      hub.sockets.add(socket);
      socket.once('close', () => hub.sockets.delete(socket));
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      hub.handle(request, response).catch((error: unknown) => hub.fail(response, error));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return hub;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('The simulator is not listening on a TCP port');
    return address.port;
  }

  /** Stops listening and ends every connection (keep-alive ones included) and every pending injected delay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const delay of this.delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.delays.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let rawBody: string | undefined;
    try {
      rawBody = await this.readBody(request);
    } catch {
      // The client went away mid-request; there is nobody to answer.
      return;
    }
    if (rawBody === undefined) {
      this.send(response, this.errorResponse(new HubError('MessageTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes`)));
      return;
    }
    const url = new URL(request.url ?? '/', 'https://hub.invalid');
    const ifMatch = header(request, 'if-match');
    let route: RouteMatch = { operation: 'unsupported', deviceId: undefined, moduleId: undefined };
    let routeError: unknown;
    try {
      route = matchRoute(request.method ?? 'GET', url.pathname, ifMatch);
    } catch (error) {
      // A malformed path is still answered only after the caller has been authenticated.
      routeError = error;
    }
    const { operation } = route;
    const spec = operationSpec(operation);

    // The SDK's agent may route any host name here; only requests addressed to this hub are served.
    const host = (header(request, 'host') ?? '').replace(/:\d+$/, '').toLowerCase();
    if (host !== this.deps.hostName.toLowerCase()) {
      this.reject(response, 'auth', operation, new HubError('IotHubNotFound', `IoT hub '${host}' was not found; this is ${this.deps.hostName}`));
      return;
    }
    try {
      this.deps.authenticator.authenticate(header(request, 'authorization'), url.pathname, spec.rights);
    } catch (error) {
      this.reject(response, 'auth', operation, error);
      return;
    }
    if (routeError !== undefined) {
      this.answer(response, route, this.errorResponse(routeError), []);
      return;
    }

    const fault = this.deps.faults.decide(operation);
    if (fault.delayMs > 0) {
      await this.delay(fault.delayMs);
      if (this.closed) return;
    }
    if (fault.kind === 'drop') {
      this.deps.stats.recordRejected('dropped', operation);
      request.socket.destroy();
      return;
    }
    if (fault.kind === 'error') {
      this.reject(response, 'fault', operation, INJECTED_ERRORS[fault.status]);
      return;
    }

    const category = spec.category;
    if (category !== undefined && !this.deps.throttle.supports(category)) {
      const tier = this.deps.throttle.current();
      this.answer(response, route, this.errorResponse(new HubError('OperationNotAvailableInCurrentTier', `This operation is not available in the ${tier === false ? '' : tier.tier} tier`)), []);
      return;
    }
    if (category !== undefined) {
      const verdict = this.deps.throttle.take(category, operation === 'bulkDevices' ? bulkCost(rawBody) : 1);
      if (!verdict.allowed) {
        const { amount, periodMs } = verdict.limit;
        const per = periodMs === 60_000 ? 'minute' : 'second';
        this.reject(response, 'throttle', operation, new HubError('ThrottlingException', `The request has been throttled: ${category} operations exceed ${amount} per ${per} for this hub. Back off and try again.`));
        return;
      }
    }

    let body: JsonValue | undefined;
    let parsed = false;
    const readJson = (): JsonValue | undefined => {
      if (!parsed) {
        parsed = true;
        if (rawBody.length > 0) {
          try {
            body = JSON.parse(rawBody) as JsonValue;
          } catch {
            throw new HubError('IotHubFormatError', 'The request body is not valid JSON');
          }
        }
      }
      return body;
    };
    try {
      const result = this.deps.api.execute({ route, ifMatch, searchParams: url.searchParams, headers: request.headers, body: readJson });
      const headers: Record<string, string> = { ...result.headers };
      if (result.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      this.answer(response, route, { status: result.status, headers, body: result.body === undefined ? '' : JSON.stringify(result.body) }, result.deviceIds);
    } catch (error) {
      this.answer(response, route, this.errorResponse(error), route.deviceId === undefined ? [] : [route.deviceId]);
    }
  }

  private async readBody(request: IncomingMessage): Promise<string | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private delay(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const delay: Delay = {
        timer: setTimeout(() => {
          this.delays.delete(delay);
          resolve();
        }, ms),
        resolve,
      };
      this.delays.add(delay);
    });
  }

  private errorResponse(error: unknown): { status: number; headers: Record<string, string>; body: string } {
    if (error instanceof HubError) return renderHubError(error, this.deps.clock.now());
    // A bug in the simulator: answer like the hub's generic failure, but keep the cause visible.
    console.error('iothubSimulator: unexpected error while handling a request', error);
    return renderHubError(new HubError('ServerError', `Simulator failure: ${error instanceof Error ? error.message : String(error)}`), this.deps.clock.now());
  }

  private reject(response: ServerResponse, reason: 'auth' | 'throttle' | 'fault', operation: OperationName, error: unknown): void {
    this.deps.stats.recordRejected(reason, operation);
    this.send(response, this.errorResponse(error));
  }

  private answer(response: ServerResponse, route: RouteMatch, result: { status: number; headers: Record<string, string>; body: string }, deviceIds: readonly string[]): void {
    this.deps.stats.recordAnswered(route.operation, result.status, deviceIds);
    this.send(response, result);
  }

  private send(response: ServerResponse, result: { status: number; headers: Record<string, string>; body: string }): void {
    if (this.closed || response.destroyed || response.headersSent) return;
    response.writeHead(result.status, { ...result.headers, 'content-length': Buffer.byteLength(result.body) });
    response.end(result.body);
  }

  private fail(response: ServerResponse, error: unknown): void {
    if (this.closed || response.destroyed) return;
    // Reading the body failed (client went away) or a bug: never let it take the process down.
    if (!response.headersSent) this.send(response, this.errorResponse(error));
    else response.destroy();
  }
}

/** Bulk registry requests cost one identity-registry token per listed device. */
function bulkCost(rawBody: string): number {
  try {
    const parsed: unknown = JSON.parse(rawBody);
    return Array.isArray(parsed) ? Math.max(1, parsed.length) : 1;
  } catch {
    return 1;
  }
}
