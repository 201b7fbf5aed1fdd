import type { AgentProfile, SettingSpec } from '../agentProfile';

/**
 * The Defender for IoT micro agent (module `DefenderIotMicroAgent`): flat, unwrapped keys at the root of
 * `properties.desired` (domain.md §1.6; DOCS concept-micro-agent-configuration.md). Documented defaults of
 * "Null"/"None" become `null` here: the product then leaves the key out and the agent uses its own default.
 */

type Frequency = 'Low' | 'Medium' | 'High';

/** Each collector can be switched off and has a message frequency, i.e. which priority interval carries its events. */
function collector(name: string, frequency: Frequency, what: string): Record<string, SettingSpec> {
  return {
    [`${name}_Disabled`]: { type: 'boolean', default: false, description: `Disables the ${what} collector.` },
    [`${name}_MessageFrequency`]: {
      type: 'enum',
      values: ['Low', 'Medium', 'High'],
      default: frequency,
      description: `Which priority interval (CollectorsCore_PriorityIntervals) sends ${what} events.`,
    },
  };
}

/** "Positive integer" in the documentation. */
const positive = (defaultValue: number, description: string): SettingSpec => ({
  type: 'integer',
  default: defaultValue,
  min: 1,
  rangeReason: 'the documentation allows positive integers only',
  description,
});

const cacheSize = (what: string): SettingSpec =>
  positive(256, `Number of ${what} events (after aggregation) kept between send intervals; older ones are dropped.`);

const text = (description: string): SettingSpec => ({ type: 'string', default: null, description });

export const defenderMicroAgent: AgentProfile = {
  id: 'defender-micro-agent',
  moduleId: 'DefenderIotMicroAgent',
  displayName: 'Microsoft Defender for IoT micro agent (DefenderIotMicroAgent)',
  placement: { kind: 'flat' },
  settings: {
    CollectorsCore_PriorityIntervals: {
      type: 'priority-intervals',
      default: '30,120,1440',
      description: 'Minutes between sends for the High, Medium and Low priorities: "<High>,<Medium>,<Low>".',
    },
    ...collector('Baseline', 'Low', 'Baseline'),
    Baseline_GroupsDisabled: { type: 'list', default: null, description: 'Comma-separated Baseline group names to disable.' },
    Baseline_ChecksDisabled: { type: 'list', default: null, description: 'Comma-separated Baseline check IDs to disable.' },
    ...collector('SystemInformation', 'Low', 'System Information'),
    SystemInformation_HardwareVendor: text('Hardware vendor reported by the agent.'),
    SystemInformation_HardwareModel: text('Hardware model reported by the agent.'),
    SystemInformation_HardwareSerialNumber: text('Hardware serial number reported by the agent.'),
    SystemInformation_FirmwareVendor: text('Firmware vendor reported by the agent.'),
    SystemInformation_FirmwareVersion: text('Firmware version reported by the agent.'),
    ...collector('SBoM', 'Low', 'SBoM'),
    ...collector('Heartbeat', 'Low', 'Heartbeat'),
    ...collector('Login', 'Medium', 'Login'),
    Login_UsePAM: { type: 'boolean', default: false, description: 'Gather login events through a PAM module instead of UTMP and Syslog.' },
    IothubModule_MessageTimeout: positive(2880, 'Minutes a message waits in the outbound queue to IoT Hub before it is dropped.'),
    ...collector('NetworkActivity', 'Medium', 'Network Activity'),
    NetworkActivity_Devices: { type: 'list', default: 'eth0', description: 'Comma-separated network interfaces whose traffic is monitored.' },
    NetworkActivity_CacheSize: cacheSize('Network Activity'),
    NetworkActivity_PacketBufferSize: positive(2_097_152, 'Capture buffer in bytes per network device and direction.'),
    ...collector('Process', 'Medium', 'Process'),
    Process_PollingInterval: positive(100_000, 'Polling interval in microseconds, used in Polling mode.'),
    Process_Mode: {
      type: 'enum',
      values: [1, 2, 3],
      default: 1,
      description: 'Process collector mode: 1 = Auto (Netlink, falling back to Polling), 2 = Netlink, 3 = Polling.',
    },
    Process_CacheSize: cacheSize('Process'),
    ...collector('LogCollector', 'Low', 'Log'),
    ...collector('FileSystem', 'Low', 'File System'),
    FileSystem_Recursive: { type: 'boolean', default: true, description: 'Monitor all directories under the given paths.' },
    FileSystem_Paths: { type: 'list', default: null, description: 'Comma-separated paths to monitor.' },
    FileSystem_CacheSize: cacheSize('File System'),
    ...collector('Peripheral', 'Low', 'Peripheral'),
    Peripheral_CacheSize: cacheSize('Peripheral'),
    ...collector('Statistics', 'Low', 'Statistics'),
    Statistics_CacheSize: cacheSize('Statistics'),
  },
  crossFieldRules: [],
};
