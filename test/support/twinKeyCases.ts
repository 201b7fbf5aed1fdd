// IoT Hub's rules for twin keys and twin documents as ONE table of cases, checked against both rule sets that
// implement them: the product's (src/domain/twinLimits.ts, which refuses to write what breaks them) and the
// simulator's (test/local/iothubSimulator/twinLimits.ts, which answers 400 ArgumentInvalid as the hub does).
//
// The documented rule (MicrosoftDocs/azure-docs articles/iot-hub/iot-hub-devguide-device-twins.md, "Tags and
// properties format", ms.date 02/22/2024; the same sentence is in the module-twins article and in the
// azure-iothub SDK's bundled swagger, src/service.json, Twin.tags):
//   "Tags, desired properties, and reported properties are JSON objects with the following restrictions:
//    Keys: All keys in JSON objects are UTF-8 encoded, case-sensitive, and up-to 1 KB in length. Allowed
//    characters exclude UNICODE control characters (segments C0 and C1), and `.`, `$`, and SP."
//   "Values: … Integers can have a minimum value of -4503599627370496 and a maximum value of
//    4503599627370495. String values are UTF-8 encoded and can have a maximum length of 4 KB."
//   "Depth: The maximum depth of JSON objects in tags, desired properties, and reported properties is 10."
//   "IoT Hub enforces an 8-KB size limit on the value of `tags`, and a 32-KB size limit each on the value of
//    `properties/desired` and `properties/reported`."
// Where the service is known to differ from that text, `hub` follows the evidence and `hubEvidence` cites it.
// The read-only `$version` / `$metadata` at a section's root are not in the table: no writer chooses them (the
// simulator drops them from a PATCH body, as a client may echo them back from a GET; the product never writes
// them).

export type Verdict = 'accepts' | 'rejects';

interface RuleCase {
  /** What the documentation's sentence says; 'silent' where it says nothing. */
  readonly documented: 'allowed' | 'forbidden' | 'silent';
  /** What IoT Hub does: the documented rule unless `hubEvidence` shows otherwise. */
  readonly hub: Verdict;
  readonly hubEvidence?: string;
  /** Where the simulator knowingly differs from the hub, and why (the stand-in's own limitation). */
  readonly simulator?: { readonly verdict: Verdict; readonly why: string };
  /**
   * Whether the product writes it. Never 'writes' what the hub rejects; 'refuses' what the hub accepts only
   * with `productWhy`: the product is deliberately stricter where writing would be unsafe.
   */
  readonly product: 'writes' | 'refuses';
  readonly productWhy?: string;
  /** The rule, or the sentence of the documentation, the case is about. */
  readonly why: string;
}

export interface TwinKeyCase extends RuleCase {
  readonly key: string;
  /** Where the key is checked: at a section's root and one object below it, unless limited to one of them. */
  readonly onlyAt?: 'root' | 'nested';
}

export interface TwinDocumentCase extends RuleCase {
  readonly name: string;
  readonly section: 'tags' | 'desired';
  readonly document: Readonly<Record<string, unknown>>;
}

const charactersRule = 'allowed characters exclude UNICODE control characters (segments C0 and C1), and ".", "$", and SP';
const lengthRule = 'keys are UTF-8 encoded and up to 1 KB in length: 1,024 bytes of UTF-8, not characters';

/** '#': rejected by the service although the documentation does not list it. */
const hashEvidence =
  'the service answered 400004 "Property or Tag name has invalid characters. … Must not contain Control Characters, \'.\', \'$\', \'#\', or \' \'." ' +
  '(Azure/azure-iot-sdk-java issue #243, 2018); a Microsoft SDK engineer confirmed "The service does not currently allow the character \'#\'" ' +
  '(MicrosoftDocs/azure-docs issue #8869, closed without a documentation change)';

export const twinKeyCases: readonly TwinKeyCase[] = [
  { key: 'securityBaseline', documented: 'allowed', hub: 'accepts', product: 'writes', why: 'a plain key (the product\'s assignment tag)' },
  {
    key: 'ms_iotn:urn_azureiot_Security_SecurityAgentConfiguration',
    documented: 'allowed',
    hub: 'accepts',
    product: 'writes',
    why: 'the legacy agent\'s configuration key: ":" and "_" are allowed (only message-routing queries cannot name a key with ":")',
  },
  {
    key: '-+%_*?!(),=@;\'"/\\<>{}[]|~^`&:',
    documented: 'allowed',
    hub: 'accepts',
    product: 'writes',
    why: `printable ASCII punctuation other than the excluded characters: ${charactersRule}`,
  },
  { key: 'Température-温度', documented: 'allowed', hub: 'accepts', product: 'writes', why: 'keys are UTF-8: any non-control Unicode character' },
  { key: 'sensor😀', documented: 'allowed', hub: 'accepts', product: 'writes', why: 'a character outside the BMP (a surrogate pair in JavaScript) is one character' },
  { key: 'a\u00a0b', documented: 'allowed', hub: 'accepts', product: 'writes', why: 'SP is U+0020 only; NO-BREAK SPACE U+00A0 is neither SP nor a control character' },
  { key: 'constructor', documented: 'allowed', hub: 'accepts', product: 'writes', why: 'an ordinary key, although JavaScript objects inherit a member of that name' },
  {
    key: '__proto__',
    documented: 'allowed',
    hub: 'accepts',
    simulator: { verdict: 'rejects', why: 'the simulator stores twins as plain JavaScript objects, where assigning "__proto__" replaces the prototype' },
    product: 'writes',
    why: 'an ordinary key for IoT Hub',
  },
  { key: 'k'.repeat(1024), documented: 'allowed', hub: 'accepts', product: 'writes', why: `${lengthRule}: 1,024 ASCII characters` },
  { key: 'é'.repeat(512), documented: 'allowed', hub: 'accepts', product: 'writes', why: `${lengthRule}: 512 two-byte characters` },
  { key: 'k'.repeat(1025), documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${lengthRule}: 1,025 bytes` },
  { key: 'é'.repeat(513), documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${lengthRule}: 513 characters are 1,026 bytes` },
  {
    key: '',
    documented: 'silent',
    hub: 'accepts',
    hubEvidence: 'a query returned a twin with an empty key (Azure/azure-iot-sdk-java issue #1754), and Microsoft changed the Java SDK to "Allow twin key to be empty string … IoT hub allows this" (PR #1756, 2023)',
    product: 'refuses',
    productWhy: 'readers of the twin choke on it: the Java service SDK threw "Key cannot be null or empty" on such a twin until 2023 (issue #1754), and the agents read what we write',
    why: 'the documentation gives no minimum length',
  },
  { key: 'a.b', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: charactersRule },
  { key: '$custom', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: charactersRule },
  { key: '$version', onlyAt: 'nested', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}; the read-only $version exists at a section's root only` },
  { key: 'a b', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: charactersRule },
  { key: 'a#b', documented: 'allowed', hub: 'rejects', hubEvidence: hashEvidence, product: 'refuses', why: 'not in the documented list of excluded characters' },
  { key: 'a\u0000b', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: NUL, the first C0 character` },
  { key: 'a\tb', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: TAB is C0` },
  { key: 'a\nb', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: LF is C0` },
  { key: 'a\u001fb', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: U+001F, the last C0 character` },
  { key: 'a\u007fb', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: DEL, U+007F, is a Unicode control character (general category Cc) between C0 and C1` },
  { key: 'a\u0080b', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: U+0080, the first C1 character` },
  { key: 'a\u009fb', documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${charactersRule}: U+009F, the last C1 character` },
];

/** `levels` objects nested below the section root, as in the documentation's depth example ("one" … "ten"). */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { property: 'value' };
  for (let level = levels; level >= 1; level--) value = { [`level${level}`]: value };
  return value;
}

/**
 * A section of exactly `size` bytes by the documented size rule (keys plus string lengths), in strings of at
 * most 4 KB: `count` keys "kNN" (3 characters) with 4,000-character values, and a last key "z" with the rest.
 */
function sectionOfSize(size: number): Record<string, unknown> {
  const count = Math.floor((size - 1) / 4003);
  const section: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) section[`k${String(index).padStart(2, '0')}`] = 'x'.repeat(4000);
  section['z'] = 'y'.repeat(size - count * 4003 - 1);
  return section;
}

const depthRule = 'the maximum depth of JSON objects in tags, desired properties, and reported properties is 10';
const valueRule = 'integers from -4503599627370496 to 4503599627370495; strings UTF-8 encoded, at most 4 KB';
const sizeRule = 'IoT Hub enforces an 8-KB size limit on tags and 32 KB on properties/desired, measured as keys plus values';

export const twinDocumentCases: readonly TwinDocumentCase[] = [
  { name: 'ten objects deep', section: 'tags', document: nested(10), documented: 'allowed', hub: 'accepts', product: 'writes', why: `${depthRule}: the documentation's own valid example` },
  { name: 'eleven objects deep', section: 'desired', document: nested(11), documented: 'forbidden', hub: 'rejects', product: 'refuses', why: depthRule },
  {
    name: 'an array holding nine levels of objects',
    section: 'tags',
    document: { wrap: [nested(9)] },
    documented: 'silent',
    hub: 'rejects',
    hubEvidence: 'undocumented whether an array is a level: assumed it is (the stricter reading), so the product never writes what the hub might refuse',
    product: 'refuses',
    why: depthRule,
  },
  { name: 'a string of 4,096 bytes', section: 'desired', document: { s: 'x'.repeat(4096) }, documented: 'allowed', hub: 'accepts', product: 'writes', why: valueRule },
  { name: 'a string of 4,097 bytes', section: 'desired', document: { s: 'x'.repeat(4097) }, documented: 'forbidden', hub: 'rejects', product: 'refuses', why: valueRule },
  { name: 'a string of 1,366 three-byte characters', section: 'tags', document: { s: '€'.repeat(1366) }, documented: 'forbidden', hub: 'rejects', product: 'refuses', why: `${valueRule}: 4,098 bytes` },
  { name: 'the largest integer', section: 'desired', document: { n: 4503599627370495 }, documented: 'allowed', hub: 'accepts', product: 'writes', why: valueRule },
  { name: 'the smallest integer', section: 'desired', document: { n: -4503599627370496 }, documented: 'allowed', hub: 'accepts', product: 'writes', why: valueRule },
  { name: 'one above the largest integer', section: 'desired', document: { n: 4503599627370496 }, documented: 'forbidden', hub: 'rejects', product: 'refuses', why: valueRule },
  { name: 'one below the smallest integer', section: 'tags', document: { n: -4503599627370497 }, documented: 'forbidden', hub: 'rejects', product: 'refuses', why: valueRule },
  { name: 'tags of 8,192 bytes', section: 'tags', document: sectionOfSize(8192), documented: 'allowed', hub: 'accepts', product: 'writes', why: sizeRule },
  { name: 'tags of 8,193 bytes', section: 'tags', document: sectionOfSize(8193), documented: 'forbidden', hub: 'rejects', product: 'refuses', why: sizeRule },
  { name: 'desired properties of 32,768 bytes', section: 'desired', document: sectionOfSize(32768), documented: 'allowed', hub: 'accepts', product: 'writes', why: sizeRule },
  { name: 'desired properties of 32,769 bytes', section: 'desired', document: sectionOfSize(32769), documented: 'forbidden', hub: 'rejects', product: 'refuses', why: sizeRule },
];
