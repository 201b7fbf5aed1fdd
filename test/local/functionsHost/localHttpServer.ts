// The host's HTTP front on loopback, as `func start` exposes it:
//   /<routePrefix>/<route>                    HTTP-triggered functions (route templates, methods)
//   POST|OPTIONS /runtime/webhooks/eventgrid  the Event Grid extension's webhook (?functionName=…)
//   GET  /admin/functions[/<name>]            the admin API's function list
//   POST /admin/functions/<name>              runs a non-HTTP function now (202), e.g. the sweep timer
//   GET  /admin/host/status                   host state
//   GET  /                                    "up and running" page
// Like Core Tools, it enforces no function keys, and Easy Auth headers (x-ms-client-principal…) are
// passed to the function untouched, except that it stands in for App Service Authentication when asked:
// `x-lab-principal: name=alice;roles=operator` (or the `defaultPrincipal` option, for requests that name
// no caller) becomes the x-ms-client-principal headers of that caller, and `x-lab-principal: anonymous`
// sends none (labPrincipal.ts). A request on a known route with an undeclared method gets the
// host's 404 (not 405: azure-functions-host#10098), and a failing function a 500 with an empty body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { comparePrecedence, compileRouteTemplate, type RouteTemplate } from './httpRouteTemplate';
import type { FunctionRegistration } from './functionRegistration';
import type { LocalFunctionsHost } from './localFunctionsHost';
import type { TriggerInput } from './triggerInput';
import { appServicePrincipalHeaders, labPrincipalHeader, parseLabPrincipal, type LabPrincipal } from './labPrincipal';

export interface LocalHttpServerOptions {
  readonly host: LocalFunctionsHost;
  /** 7071 like `func start`; 0 picks a free port (tests). */
  readonly port?: number;
  readonly hostname?: string;
  /** Node's default is 5 s; close() does not wait for it either way. */
  readonly keepAliveTimeoutMs?: number;
  /** The host's default maxRequestLength is 100 MB. */
  readonly maxRequestBytes?: number;
  /** The caller App Service Authentication would have signed in, for HTTP requests without `x-lab-principal` or `x-ms-client-principal`. */
  readonly defaultPrincipal?: LabPrincipal;
}

interface HttpRoute {
  readonly registration: FunctionRegistration;
  readonly template: RouteTemplate;
}

export class LocalHttpServer {
  readonly #host: LocalFunctionsHost;
  readonly #options: LocalHttpServerOptions;
  readonly #server: http.Server;
  readonly #routes: readonly HttpRoute[];
  readonly #inFlight = new Set<Promise<void>>();
  #baseUrl: string | undefined;
  #closing = false;

  constructor(options: LocalHttpServerOptions) {
    this.#host = options.host;
    this.#options = options;
    this.#routes = compileRoutes(options.host);
    this.#server = http.createServer((req, res) => {
      const handling = this.#handle(req, res).catch((error: unknown) => {
        this.#host.log({ level: 'error', category: 'host', message: `HTTP front failed on ${req.method ?? ''} ${req.url ?? ''}: ${String(error)}` });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      this.#inFlight.add(handling);
      void handling.finally(() => this.#inFlight.delete(handling));
    });
    this.#server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000;
  }

  get baseUrl(): string {
    if (this.#baseUrl === undefined) throw new Error('LocalHttpServer has not been started.');
    return this.#baseUrl;
  }

  async start(): Promise<{ port: number; baseUrl: string }> {
    const hostname = this.#options.hostname ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port ?? 7071, hostname, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#baseUrl = `http://${hostname}:${port}`;
    this.#host.log({ level: 'information', category: 'host', message: `Host started; listening on ${this.#baseUrl}` });
    return { port, baseUrl: this.#baseUrl };
  }

  /** Stops listening, lets running requests finish, and closes idle keep-alive sockets at once. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await Promise.allSettled([...this.#inFlight]);
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.#closing) res.setHeader('connection', 'close');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const segments = url.pathname.split('/').filter((s) => s !== '').map(safeDecode);
    const lower = segments.map((s) => s.toLowerCase());

    if (segments.length === 0 && (method === 'GET' || method === 'HEAD')) {
      return send(res, 200, { 'content-type': 'text/html; charset=utf-8' }, '<html><body><h1>Your Functions 4.0 app is up and running</h1></body></html>');
    }
    if (lower.length === 3 && lower[0] === 'runtime' && lower[1] === 'webhooks' && lower[2] === 'eventgrid') {
      return this.#eventGrid(req, res, method, url);
    }
    if (lower[0] === 'admin') return this.#admin(req, res, method, segments);

    const prefix = this.#host.routePrefix.split('/').filter((s) => s !== '');
    const underPrefix = prefix.every((p, i) => lower[i] === p.toLowerCase());
    if (underPrefix) {
      const routeSegments = segments.slice(prefix.length);
      for (const route of this.#routes) {
        const values = route.template.match(routeSegments);
        if (values === undefined) continue;
        const methods = route.registration.http?.methods ?? [];
        if (methods.length > 0 && !methods.includes(method)) continue;
        return this.#invokeHttp(req, res, method, url, route.registration, values);
      }
    }
    return send(res, 404, {}, '');
  }

  async #invokeHttp(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    url: URL,
    registration: FunctionRegistration,
    params: Record<string, string>,
  ): Promise<void> {
    const body = await this.#readBody(req, res);
    if (body === undefined) return;
    const headers: Record<string, string> = {};
    for (const [name, values] of Object.entries(req.headersDistinct)) {
      if (values !== undefined) headers[name] = values.join(',');
    }
    const impersonation = this.#impersonate(headers);
    if (impersonation !== undefined) return send(res, 400, { 'content-type': 'text/plain; charset=utf-8' }, `${labPrincipalHeader}: ${impersonation}`);
    try {
      const result = await this.#host.invoke(registration.name, { kind: 'http', method, url: url.href, headers, params, body });
      const response = result.http;
      if (!response) return send(res, 500, {}, '');
      const outgoing: http.OutgoingHttpHeaders = { ...response.headers };
      if (response.cookies.length > 0) outgoing['set-cookie'] = [...response.cookies];
      return send(res, response.status, outgoing, response.body);
    } catch {
      // The host answers an unhandled function error with a bare 500; details go to the logs only.
      return send(res, 500, {}, '');
    }
  }

  /**
   * Puts the lab's caller in place of App Service Authentication's headers, as App Service would (it drops
   * such headers from what callers send). Returns why `x-lab-principal` cannot be read, if it cannot.
   */
  #impersonate(headers: Record<string, string>): string | undefined {
    const asked = headers[labPrincipalHeader];
    delete headers[labPrincipalHeader];
    let principal: LabPrincipal | undefined;
    if (asked !== undefined) {
      if (asked.trim().toLowerCase() !== 'anonymous') {
        try {
          principal = parseLabPrincipal(asked);
        } catch (error) {
          return (error as Error).message;
        }
      }
    } else if (headers['x-ms-client-principal'] === undefined) {
      principal = this.#options.defaultPrincipal;
    } else {
      return undefined;
    }
    for (const name of Object.keys(headers)) if (name.startsWith('x-ms-client-principal')) delete headers[name];
    if (principal !== undefined) Object.assign(headers, appServicePrincipalHeaders(principal));
    return undefined;
  }

  async #eventGrid(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL): Promise<void> {
    const functionName = url.searchParams.get('functionName') ?? undefined;
    const answer =
      method === 'OPTIONS'
        ? this.#host.answerEventGridHandshake(functionName, req.headers)
        : await (async () => {
            const body = await this.#readBody(req, res);
            if (body === undefined) return undefined;
            return this.#host.deliverEventGrid(functionName, parseJson(body), req.headers);
          })();
    if (answer === undefined) return;
    const isJson = typeof answer.body === 'object';
    const payload = answer.body === undefined ? '' : isJson ? JSON.stringify(answer.body) : answer.body;
    const headers: http.OutgoingHttpHeaders = { ...(answer.headers ?? {}) };
    if (!isJson && payload !== '') headers['content-type'] = 'text/plain; charset=utf-8';
    return send(res, answer.status, headers, payload);
  }

  async #admin(req: http.IncomingMessage, res: http.ServerResponse, method: string, segments: readonly string[]): Promise<void> {
    const [, area, name, ...rest] = segments;
    if (area?.toLowerCase() === 'host' && name?.toLowerCase() === 'status' && method === 'GET') {
      return sendJson(res, 200, { id: 'local-functions-host', state: 'Running', version: '4.x-local', processUptime: Math.round(process.uptime() * 1000) });
    }
    if (area?.toLowerCase() !== 'functions' || rest.length > 0) return send(res, 404, {}, '');
    if (name === undefined) {
      return method === 'GET' ? sendJson(res, 200, this.#host.functions().map((f) => this.#describe(f))) : send(res, 404, {}, '');
    }
    const registration = this.#host.getFunction(name);
    if (!registration) return send(res, 404, {}, '');
    if (method === 'GET') return sendJson(res, 200, this.#describe(registration));
    if (method !== 'POST') return send(res, 404, {}, '');

    const body = await this.#readBody(req, res);
    if (body === undefined) return;
    const parsed = parseJson(body);
    const input = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['input'] : undefined;
    const trigger = adminTrigger(registration, typeof input === 'string' ? input : undefined);
    if (trigger === undefined) return send(res, 400, { 'content-type': 'text/plain; charset=utf-8' }, `Function '${name}' cannot be run through the admin API of the local host.`);
    // Like the host: accepted now, executed in the background; failures are in the host logs.
    const running = this.#host.invoke(registration.name, trigger).then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(running);
    void running.finally(() => this.#inFlight.delete(running));
    return send(res, 202, {}, '');
  }

  #describe(registration: FunctionRegistration): Record<string, unknown> {
    const route = registration.http ? `${this.#host.routePrefix}/${registration.http.route}`.replace(/^\/+/, '') : null;
    return {
      name: registration.name,
      trigger: registration.triggerType,
      route,
      invoke_url_template: route === null || this.#baseUrl === undefined ? null : `${this.#baseUrl}/${route}`,
      href: this.#baseUrl === undefined ? null : `${this.#baseUrl}/admin/functions/${registration.name}`,
      language: 'node',
      isDisabled: registration.indexingError !== undefined,
      isDirect: true,
      isProxy: false,
      config: { bindings: Object.entries(registration.bindings).map(([bindingName, binding]) => ({ name: bindingName, ...binding })) },
      ...(registration.indexingError === undefined ? {} : { error: registration.indexingError }),
    };
  }

  async #readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
    const limit = this.#options.maxRequestBytes ?? 100 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) {
        send(res, 413, {}, '');
        return undefined;
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks);
  }
}

function compileRoutes(host: LocalFunctionsHost): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const registration of host.functions()) {
    if (!registration.http || registration.indexingError !== undefined) continue;
    try {
      routes.push({ registration, template: compileRouteTemplate(registration.http.route) });
    } catch (error) {
      host.log({ level: 'error', category: 'host', functionName: registration.name, message: `HTTP route not served: ${String(error)}` });
    }
  }
  return routes.sort((a, b) => comparePrecedence(a.template, b.template));
}

function adminTrigger(registration: FunctionRegistration, input: string | undefined): TriggerInput | undefined {
  const type = registration.triggerType.toLowerCase();
  if (type === 'timertrigger') return { kind: 'timer', isPastDue: false };
  if (type === 'eventgridtrigger') return input === undefined ? undefined : { kind: 'eventGrid', event: parseJson(Buffer.from(input)) };
  if (type === 'eventhubtrigger') {
    const now = new Date().toISOString();
    return { kind: 'eventHub', messages: [{ body: parseJson(Buffer.from(input ?? '')) ?? input ?? '', sequenceNumber: 0, offset: '0', enqueuedTimeUtc: now }] };
  }
  return undefined;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function send(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body: string | Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(value));
}
