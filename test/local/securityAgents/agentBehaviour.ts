// What a simulated security agent does with the desired properties it is given: one pure function per kind
// of agent, so its quirks can be tested without a hub and the hub wiring (attachSecurityAgents) stays the
// same for every kind.
import type { JsonObject } from '../iothubSimulator';

export interface AgentAnswer {
  /** The reported-properties patch the agent writes (IoT Hub merges it into `properties.reported`). */
  readonly reported: JsonObject;
  /** The settings the agent could not take, in the order it read them; empty when it took the configuration. */
  readonly invalidFields: readonly string[];
}

/**
 * One kind of agent: `desired` is the module twin's whole `properties.desired` (as the agents read their
 * first complete twin, and as a patch reads to them: each one is the whole configuration), `reported`
 * what the twin reports now (where an agent that refuses an update finds the configuration it keeps), and
 * `refused` the settings this agent treats as invalid whatever their value (a rejecting agent).
 */
export type AgentBehaviour = (desired: JsonObject, reported: JsonObject, refused: ReadonlySet<string>) => AgentAnswer;
