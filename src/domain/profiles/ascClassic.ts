import type { AgentProfile, SettingSpec } from '../agentProfile';

/**
 * The Azure Security Center for IoT agent (C and C# agents, module `azureiotsecurity`). Settings and
 * defaults are the 25 keys of the published default configuration (domain.md Appendix A, AIS
 * `azureiotsecurity_default.json`). Keys that only one agent reads and that the schema does not publish
 * (`baselineCustomChecks*`, `hubResourceId`, `eventPriorityOperational`) are left out on purpose: a
 * baseline that sets them would be rejected as unknown rather than silently ignored by the other agent.
 */

const duration = (defaultValue: string, description: string): SettingSpec => ({
  type: 'duration',
  default: defaultValue,
  description,
});

/** Event priorities: Off = not collected, Low = sent with low-priority messages, High = with high-priority ones. */
const eventPriority = (defaultValue: 'Off' | 'Low' | 'High', event: string): SettingSpec => ({
  type: 'enum',
  values: ['Off', 'Low', 'High'],
  default: defaultValue,
  description: `Priority of ${event} events: Off (not collected), Low or High (which message frequency carries them).`,
});

const flag = (defaultValue: boolean, description: string): SettingSpec => ({
  type: 'boolean',
  default: defaultValue,
  description,
});

/** The C agent reads integers as a 32-bit signed `int`; larger JSON numbers wrap around. */
const INT32_MAX = 2_147_483_647;

export const ascClassic: AgentProfile = {
  id: 'asc-classic',
  moduleId: 'azureiotsecurity',
  displayName: 'Azure Security Center for IoT agent (azureiotsecurity)',
  placement: { kind: 'wrapped-object', objectKey: 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration' },
  settings: {
    highPriorityMessageFrequency: duration('PT7M', 'How often the agent sends high-priority events.'),
    lowPriorityMessageFrequency: duration('PT5H', 'How often the agent sends low-priority events.'),
    snapshotFrequency: duration('PT13H', 'How often the agent creates snapshot events.'),
    maxLocalCacheSizeInBytes: {
      type: 'integer',
      default: 2_560_000,
      min: 8193,
      max: INT32_MAX,
      rangeReason:
        'the documentation requires a cache larger than 8192 bytes, and the C agent reads the value as a 32-bit integer',
      description: 'Maximum bytes of events the agent caches on the device before dropping the oldest.',
    },
    maxMessageSizeInBytes: {
      type: 'integer',
      default: 204_800,
      // The documentation and schema description say "> 8192, < 262144" (IoT Hub's 256 KB message limit);
      // the DTDL file's comment says the maximum is 204800, which would make the documented range and the
      // agents' own behaviour (no range check at all) stricter than published. The documented range wins.
      min: 8193,
      max: 262_143,
      rangeReason:
        'the documentation requires a message larger than 8192 bytes and smaller than 262144 bytes, IoT Hub\'s device-to-cloud message limit',
      recommendedMultipleOf: {
        factor: 4096,
        reason: 'IoT Hub meters messages in 4 KB blocks, so the agent reports NotOptimal and pays for unused space',
      },
      description: 'Maximum size of one message the agent sends to IoT Hub.',
    },
    eventPriorityConnectedHardware: eventPriority('Low', 'connected hardware (C# agent only)'),
    eventPriorityListeningPorts: eventPriority('High', 'listening ports'),
    eventPriorityProcessCreate: eventPriority('Low', 'process creation'),
    eventPriorityProcessTerminate: eventPriority('Low', 'process termination (C# agent only)'),
    eventPrioritySystemInformation: eventPriority('Low', 'system information'),
    eventPriorityLocalUsers: eventPriority('High', 'local users'),
    eventPriorityLogin: eventPriority('High', 'login'),
    eventPriorityConnectionCreate: eventPriority('Low', 'connection creation'),
    eventPriorityFirewallConfiguration: eventPriority('Low', 'firewall configuration'),
    eventPriorityOSBaseline: eventPriority('Low', 'OS baseline'),
    // The schema default is Low; the documentation's table says Off. The schema is what agents and the
    // Microsoft batch script write, so Low is kept.
    eventPriorityDiagnostic: eventPriority('Low', 'diagnostic'),
    eventPriorityConfigurationError: eventPriority('Low', 'configuration error (C# agent only)'),
    eventPriorityDroppedEventsStatistics: eventPriority('Low', 'dropped events statistics (C# agent only)'),
    eventPriorityMessageStatistics: eventPriority('Low', 'message statistics (C# agent only)'),
    aggregationEnabledProcessCreate: flag(true, 'Aggregate process creation events.'),
    aggregationIntervalProcessCreate: duration('PT1H', 'Aggregation interval of process creation events.'),
    aggregationEnabledConnectionCreate: flag(true, 'Aggregate connection creation events.'),
    aggregationIntervalConnectionCreate: duration('PT1H', 'Aggregation interval of connection creation events.'),
    aggregationEnabledProcessTerminate: flag(true, 'Aggregate process termination events (C# agent only).'),
    aggregationIntervalProcessTerminate: duration('PT1H', 'Aggregation interval of process termination events (C# agent only).'),
  },
  // The agents' own configuration validators (domain.md §1.5): both conditions make the agent send a
  // ConfigurationError event of type Conflict, so a baseline breaking them is rejected.
  crossFieldRules: [
    {
      kind: 'ordering',
      rule: 'cache-at-least-message-size',
      setting: 'maxLocalCacheSizeInBytes',
      relation: 'at-least',
      other: 'maxMessageSizeInBytes',
      severity: 'error',
      consequence: 'the agent reports a Conflict and cannot keep even one full message in its local cache',
    },
    {
      kind: 'ordering',
      rule: 'high-priority-not-slower-than-low',
      setting: 'highPriorityMessageFrequency',
      relation: 'at-most',
      other: 'lowPriorityMessageFrequency',
      severity: 'error',
      consequence: 'the agent reports a Conflict because high-priority events would be sent less often than low-priority ones',
    },
  ],
};
