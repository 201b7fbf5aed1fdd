// The one table of IoT Hub's twin-key and twin-document rules (test/support/twinKeyCases.ts, which cites the
// documentation and the evidence where the service differs from it) against both rule sets: the product's
// checkTwinSection, and the simulator's answer to a real azure-iothub PATCH (200, or 400 ArgumentInvalid).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from 'azure-iothub';
import { checkTwinSection, type TwinSection } from '../../../src/domain/twinLimits';
import { twinDocumentCases, twinKeyCases, type TwinDocumentCase, type TwinKeyCase, type Verdict } from '../../support/twinKeyCases';
import { connectRegistry, startIotHubSimulator, type IotHubSimulator } from '../../local/iothubSimulator';
import { expectHubError, type SdkHttpError } from './helpers';

let simulator: IotHubSimulator;
let registry: Registry;
let freshDevices: string[];

beforeAll(async () => {
  simulator = await startIotHubSimulator({ throttle: false });
  registry = connectRegistry(simulator);
  // A device per check, so one case's accepted keys never count towards another's limits.
  freshDevices = simulator.seedDevices(200, { idPrefix: 'rules-' });
});

afterAll(async () => {
  await simulator.close();
});

interface Check {
  readonly name: string;
  readonly section: TwinSection;
  readonly document: Readonly<Record<string, unknown>>;
  readonly expected: TwinKeyCase | TwinDocumentCase;
}

function shown(key: string): string {
  const json = JSON.stringify(key);
  return json.length > 40 ? `${json.slice(0, 24)}… (${key.length} characters)` : json;
}

const keyChecks: Check[] = twinKeyCases.flatMap((rule) =>
  (['tags', 'desired'] as const).flatMap((section) =>
    (['root', 'nested'] as const)
      .filter((at) => rule.onlyAt === undefined || rule.onlyAt === at)
      .map((at) => ({
        name: `key ${shown(rule.key)} ${at === 'root' ? 'at the root of' : 'nested in'} ${section}`,
        section,
        document: at === 'root' ? { [rule.key]: 1 } : { outer: { [rule.key]: 1 } },
        expected: rule,
      })),
  ),
);

const documentChecks: Check[] = twinDocumentCases.map((rule) => ({ name: `${rule.name} in ${rule.section}`, section: rule.section, document: rule.document, expected: rule }));

/** The simulator's verdict on the document as a PATCH of a fresh device twin, through the real SDK. */
async function simulatorVerdict(section: TwinSection, document: Readonly<Record<string, unknown>>): Promise<Verdict> {
  const deviceId = freshDevices.pop()!;
  const patch = section === 'tags' ? { tags: document } : { properties: { desired: document } };
  try {
    await registry.updateTwin(deviceId, patch, '*');
    return 'accepts';
  } catch (error) {
    expectHubError(error as SdkHttpError, 'ArgumentError', 400, 'ArgumentInvalid');
    // A rejected PATCH changes nothing: the twin is still the fresh one.
    expect(simulator.peekTwin(deviceId)).toMatchObject({ etag: 'AAAAAAAAAAE=', version: 2 });
    return 'rejects';
  }
}

function productVerdict(section: TwinSection, document: Readonly<Record<string, unknown>>, twinRules: RegExp): Verdict {
  const issues = checkTwinSection(section, document);
  for (const issue of issues) expect(issue.rule).toMatch(twinRules);
  return issues.length === 0 ? 'accepts' : 'rejects';
}

describe('the table itself', () => {
  it.each([...twinKeyCases.map((rule) => ({ label: `key ${shown(rule.key)}`, rule })), ...twinDocumentCases.map((rule) => ({ label: rule.name, rule }))])(
    '$label: follows the documentation unless evidence says otherwise, and the product never writes what the hub rejects',
    ({ rule }) => {
      const documentedVerdict = rule.documented === 'allowed' ? 'accepts' : rule.documented === 'forbidden' ? 'rejects' : undefined;
      if (documentedVerdict !== rule.hub) expect(rule.hubEvidence, 'a hub verdict other than the documentation needs its evidence').toBeDefined();
      if (rule.product === 'writes') expect(rule.hub).toBe('accepts');
      if (rule.product === 'refuses' && rule.hub === 'accepts') expect(rule.productWhy, 'stricter than the hub needs a reason').toBeDefined();
      if (rule.simulator !== undefined) expect(rule.simulator.verdict).not.toBe(rule.hub);
    },
  );
});

describe.each([
  ['twin keys', keyChecks, /^twin-key-/],
  ['twin documents', documentChecks, /^twin-(depth|string-length|number-range|section-size)$/],
] as const)('%s', (_, checks, twinRules) => {
  it.each(checks)('$name', async ({ section, document, expected }) => {
    const product = productVerdict(section, document, twinRules);
    const hub = await simulatorVerdict(section, document);

    expect({ product, simulator: hub }).toEqual({
      product: expected.product === 'writes' ? 'accepts' : 'rejects',
      simulator: expected.simulator?.verdict ?? expected.hub,
    });
  });
});
