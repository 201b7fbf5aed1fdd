// The Defender for IoT micro agent (module DefenderIotMicroAgent) as it handles a desired configuration and
// reports back. What domain.md §1.6 (and the Microsoft documentation it cites) says, followed here:
// - its configuration is flat keys at the root of `properties.desired`;
// - it reports `latest_state: "success"` when it set the new configuration, `"failed"` when it did not, and
//   then `latest_invalid_fields` "will contain a list of the fields that are invalid".
// Where the documentation is silent, the most plausible behaviour is chosen:
// - which values are invalid: what the documented types and ranges exclude (the product's own reading of
//   the same documentation, validateSettingValue: e.g. a Process_Mode of 4, a cache size of 0, "low" for
//   a message frequency, whose documented values are capitalised); `null` or a missing key is the default;
//   keys it does not know are ignored;
// - a failed update changes nothing: the configuration it runs with stays (all or nothing, as the
//   asc-classic agents do), and only `latest_state` and `latest_invalid_fields` are written;
// - `latest_invalid_fields` is a JSON array of field names (twins hold arrays), and `[]` after a success so
//   a stale list never stands beside "success";
// - after a success it also reports its effective configuration as flat keys, defaults included and
//   settings without a default left out (removed with `null` when they were there), as the asc-classic
//   agents report theirs; the product's compliance check relies on `latest_state`, not on these keys.
import { defenderMicroAgent } from '../../../src/domain/profiles/defenderMicroAgent';
import { validateSettingValue } from '../../../src/domain/validateSettingValue';
import type { JsonObject, JsonValue } from '../iothubSimulator';
import type { AgentBehaviour } from './agentBehaviour';

export const microAgent: AgentBehaviour = (desired, reported, refused) => {
  const configuration: JsonObject = {};
  const invalidFields: string[] = [];
  for (const [name, spec] of Object.entries(defenderMicroAgent.settings)) {
    const value = Object.hasOwn(desired, name) ? desired[name] : undefined;
    if (value === undefined || value === null) {
      if (spec.default !== null) configuration[name] = spec.default;
    } else if (refused.has(name) || validateSettingValue(name, spec, value, name).some((issue) => issue.severity === 'error')) {
      invalidFields.push(name);
    } else {
      configuration[name] = value;
    }
  }
  if (invalidFields.length > 0) return { reported: { latest_state: 'failed', latest_invalid_fields: invalidFields }, invalidFields };
  const removed = Object.keys(defenderMicroAgent.settings).filter((name) => Object.hasOwn(reported, name) && !Object.hasOwn(configuration, name));
  const cleared = Object.fromEntries(removed.map((name): [string, JsonValue] => [name, null]));
  return { reported: { ...configuration, ...cleared, latest_state: 'success', latest_invalid_fields: [] }, invalidFields };
};
