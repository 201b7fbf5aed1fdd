// The HTTPS agent under azure-iothub's Registry: how the product reaches its hub (a keep-alive pool,
// optionally routed to another address and trusting an extra CA), and the one place that installs an agent
// through the SDK's private seam. The lab, the simulator's test clients and the product all go through here.
import { Agent, type RequestOptions } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { Registry } from 'azure-iothub';

export interface HubAgentOptions {
  /** The hub's host name: what TLS verifies when a request does not name its host. */
  readonly hostName: string;
  /**
   * Connect here instead of resolving the requested host name (the lab, private-endpoint rigs). TLS still
   * verifies the certificate for the name the request asked for, so a client aimed at another hub fails.
   */
  readonly connectAddress?: { readonly host: string; readonly port: number };
  /** PEM of a CA to trust in addition to the public roots Node ships (the lab's self-signed CA). */
  readonly extraCaCertificate?: string | Buffer;
  /** Concurrent connections to the hub; Node's default (no limit) when absent. */
  readonly maxSockets?: number;
}

/** Connects to the configured address (or the requested host) with the hub's trust settings. */
class RoutedHubAgent extends Agent {
  constructor(
    private readonly hub: HubAgentOptions,
    /** Built once: parsing the public roots for every new connection would cost more than the handshake. */
    private readonly secureContext: SecureContext | undefined,
  ) {
    super({ keepAlive: true, ...(hub.maxSockets === undefined ? {} : { maxSockets: hub.maxSockets }) });
  }

  override createConnection(options: RequestOptions): Duplex {
    const requested = options.servername ?? options.hostname ?? options.host ?? this.hub.hostName;
    // SNI carries names only (RFC 6066); for an IP address the certificate's IP SAN is checked instead.
    const servername = requested !== '' && isIP(requested) === 0 ? requested : undefined;
    const target = this.hub.connectAddress ?? { host: options.hostname ?? options.host ?? this.hub.hostName, port: Number(options.port ?? 443) };
    return connect({
      host: target.host,
      port: target.port,
      ...(servername === undefined ? {} : { servername }),
      ...(this.secureContext === undefined ? {} : { secureContext: this.secureContext }),
    });
  }
}

/**
 * A keep-alive HTTPS agent for the hub: Node's own when neither an address nor a CA is configured (the
 * product in Azure). Node's `ca` option replaces the public roots instead of adding to them, so an extra CA
 * is trusted together with `tls.rootCertificates`: a rig that trusts its own CA still reaches a hub whose
 * certificate chains to a public root.
 */
export function createHubAgent(hub: HubAgentOptions): Agent {
  if (hub.connectAddress === undefined && hub.extraCaCertificate === undefined) {
    return new Agent({ keepAlive: true, ...(hub.maxSockets === undefined ? {} : { maxSockets: hub.maxSockets }) });
  }
  const secureContext = hub.extraCaCertificate === undefined ? undefined : createSecureContext({ ca: [...rootCertificates, hub.extraCaCertificate.toString()] });
  return new RoutedHubAgent(hub, secureContext);
}

interface RestApiClientSeam {
  setOptions(options: { http: { agent: Agent } }): void;
}

/**
 * Puts `agent` under an existing Registry. azure-iothub 1.16.x has no public option for it: the Registry
 * constructor installs its own keep-alive agent on its RestApiClient, which only the private
 * `_restApiClient.setOptions` can replace. Fails at start-up, not on the first request, if the SDK changes.
 */
export function useHttpAgent(registry: Registry, agent: Agent): Registry {
  const rest = (registry as unknown as { _restApiClient?: Partial<RestApiClientSeam> })._restApiClient;
  if (typeof rest?.setOptions !== 'function') {
    throw new Error('azure-iothub Registry no longer exposes _restApiClient.setOptions; pin azure-iothub 1.16.x or update src/adapters/iothub/registryHttpAgent.ts');
  }
  rest.setOptions({ http: { agent } });
  return registry;
}
