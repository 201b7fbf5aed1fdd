// How clients reach the simulator. The SDK takes a host name, not a port, and always speaks HTTPS on 443,
// so the client side routes the hub's host name to the simulator's loopback port with an https.Agent whose
// connections go to 127.0.0.1:<port> while TLS still verifies the certificate for the host name (SNI and
// SAN check against the simulator's CA), exactly as it would for the real hub.
import { Agent, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { Registry } from 'azure-iothub';

export interface SimulatorAgentOptions {
  readonly port: number;
  readonly caCertificatePem: string;
  /** The hub host name; used for TLS verification when a request doesn't say which host it wants. */
  readonly hostName?: string;
}

/** What a client needs to reach a running simulator (an IotHubSimulator satisfies it). */
export interface SimulatorConnectionInfo {
  readonly hostName: string;
  readonly port: number;
  readonly caCertificatePem: string;
  readonly connectionString: string;
}

/** Structural @azure/core-auth TokenCredential, so callers can pass any credential implementation. */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: unknown): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

class SimulatorAgent extends Agent {
  constructor(private readonly target: SimulatorAgentOptions) {
    super({ keepAlive: true });
  }

  override createConnection(options: RequestOptions): Duplex {
    // Verify against the host the request asked for: a client aimed at some other hub fails the certificate
    // check, as it would on the internet, instead of silently talking to this one.
    const requested = options.servername ?? options.hostname ?? options.host ?? this.target.hostName;
    // SNI carries names only (RFC 6066); for an IP address the certificate's IP SAN is checked instead.
    const servername = requested !== undefined && requested !== '' && isIP(requested) === 0 ? requested : undefined;
    return connect({ host: '127.0.0.1', port: this.target.port, ca: this.target.caCertificatePem, ...(servername === undefined ? {} : { servername }) });
  }
}

export function createSimulatorAgent(options: SimulatorAgentOptions): Agent {
  return new SimulatorAgent(options);
}

interface RestApiClientSeam {
  setOptions(options: { http: { agent: Agent } }): void;
}

/**
 * Points an existing Registry at the simulator. The Registry constructor installs its own keep-alive agent on
 * its RestApiClient, so the agent can only be replaced after construction, through the (private)
 * `_restApiClient.setOptions` seam of azure-iothub 1.16.x.
 */
export function useSimulatorAgent(registry: Registry, agent: Agent): Registry {
  const rest = (registry as unknown as { _restApiClient?: Partial<RestApiClientSeam> })._restApiClient;
  if (rest === undefined || typeof rest.setOptions !== 'function') {
    throw new Error('azure-iothub Registry no longer exposes _restApiClient.setOptions; the simulator agent seam needs updating');
  }
  rest.setOptions({ http: { agent } });
  return registry;
}

/**
 * A real azure-iothub Registry connected to the simulator: from its connection string (SAS), or with
 * `tokenCredential` through Registry.fromTokenCredential (bearer tokens).
 */
export function connectRegistry(target: SimulatorConnectionInfo, options: { readonly tokenCredential?: TokenCredentialLike; readonly agent?: Agent } = {}): Registry {
  const agent = options.agent ?? createSimulatorAgent(target);
  const registry =
    options.tokenCredential === undefined
      ? Registry.fromConnectionString(target.connectionString)
      : Registry.fromTokenCredential(target.hostName, options.tokenCredential as Parameters<typeof Registry.fromTokenCredential>[1]);
  return useSimulatorAgent(registry, agent);
}
