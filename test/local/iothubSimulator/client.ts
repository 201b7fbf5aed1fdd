// How clients reach the simulator. The SDK takes a host name, not a port, and always speaks HTTPS on 443,
// so the client side routes the hub's host name to the simulator's loopback port with an https.Agent whose
// connections go to 127.0.0.1:<port> while TLS still verifies the certificate for the host name (SNI and
// SAN check against the simulator's CA), exactly as it would for the real hub.
import type { Agent } from 'node:https';
import { Registry } from 'azure-iothub';
import { createHubAgent, useHttpAgent } from '../../../src/adapters/iothub/registryHttpAgent';

export interface SimulatorAgentOptions {
  readonly port: number;
  readonly caCertificatePem: string;
  /** The hub host name; used for TLS verification when a request doesn't say which host it wants. */
  readonly hostName: string;
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

/**
 * The product's hub agent (src/adapters/iothub/registryHttpAgent.ts) routed to the simulator's loopback port
 * and trusting its CA: every request verifies the certificate for the host it asked for, so a client aimed
 * at some other hub fails the check, as it would on the internet, instead of silently talking to this one.
 */
export function createSimulatorAgent(options: SimulatorAgentOptions): Agent {
  return createHubAgent({
    hostName: options.hostName,
    connectAddress: { host: '127.0.0.1', port: options.port },
    extraCaCertificate: options.caCertificatePem,
  });
}

/** Points an existing Registry at the simulator, through the product's one installer of the SDK's agent seam. */
export function useSimulatorAgent(registry: Registry, agent: Agent): Registry {
  return useHttpAgent(registry, agent);
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
