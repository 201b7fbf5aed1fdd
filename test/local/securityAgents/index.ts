// Public entry of the simulated security agents: attach them to a simulated hub and they answer every
// security module twin's desired configuration as the real agents do (see attachSecurityAgents.ts).
//
//   const agents = attachSecurityAgents(hub, { profile: 'asc-classic', share: 0.9, rejectingShare: 0.1, offlineShare: 0.05, delayMs: 200, seed: 7 });
//   …                                   // write desired configurations through the app or the SDK
//   await agents.whenIdle();            // every answer due has been written
//   agents.stats();                     // { reportsWritten, rejections, failedWrites, scheduled }
//   agents.stop();
export { attachSecurityAgents } from './attachSecurityAgents';
export type { SecurityAgentOptions, SecurityAgentStats, SecurityAgents } from './attachSecurityAgents';
export type { AgentMode } from './agentModes';
