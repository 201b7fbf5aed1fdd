/**
 * ISO-8601 durations as the security agents read them (asc-classic `*Frequency` and `aggregationInterval*`
 * settings). A duration is acceptable only if *both* the published schema and the agents accept it, because
 * a value the agent cannot parse makes it reject the whole configuration update (domain.md §1.4).
 */

/**
 * `TimeConfiguration` pattern of the published schema (AIS `azureiotsecurity_schema_definitions.json`),
 * verbatim. It allows years and a fractional last component, which the C agent does not; see below.
 */
export const SCHEMA_DURATION_PATTERN =
  /^P(?!$)((\d+Y)|(\d+\.\d+Y$))?((\d+M)|(\d+\.\d+M$))?((\d+W)|(\d+\.\d+W$))?((\d+D)|(\d+\.\d+D$))?(T(?=\d)((\d+H)|(\d+\.\d+H$))?((\d+M)|(\d+\.\d+M$))?(\d+(\.\d+)?S)?)??$/;

/** The C agent keeps durations as uint32 milliseconds: 4,294,967,295 ms is about 49.7 days. */
export const MAX_AGENT_DURATION_MS = 4_294_967_295;

/** Integer-only form of the same grammar; reached only after the schema pattern matched and fractions were ruled out. */
const INTEGER_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The C agent counts a month as 30 days and a week as 7 (time_utils.c); the C# agent agrees on months. */
const MONTH = 30 * DAY;
const WEEK = 7 * DAY;

export type AgentDurationRule = 'duration-format' | 'duration-fraction' | 'duration-years' | 'duration-zero' | 'duration-too-long';

/**
 * Result of reading a duration the way the agents do. `usesWeeks` is reported separately because weeks are
 * accepted by the schema and the C agent but not by the C# agent (see {@link parseAgentDuration}).
 */
export type AgentDuration =
  | { ok: true; milliseconds: number; usesWeeks: boolean }
  | { ok: false; rule: AgentDurationRule; reason: string };

/**
 * Reads an agent duration, applying in order:
 * 1. the schema pattern (anything else is not an ISO-8601 duration the agents were specified for);
 * 2. whole numbers only: the C agent scans each component with `%u`, so `PT1.5H` fails to parse;
 * 3. no years (a zero year count is harmless): the C agent parses the Y component but never adds it (P1Y is zero, P1Y2M is two months)
 *    while the C# agent honours it, so the two agents would run with different values;
 * 4. not zero: the C agent rejects a zero duration;
 * 5. at most {@link MAX_AGENT_DURATION_MS}: longer values overflow the C agent's uint32 and fail to parse.
 * Weeks pass but are flagged: the C# agent uses `XmlConvert.ToTimeSpan`, whose XSD grammar has no W.
 */
export function parseAgentDuration(text: string): AgentDuration {
  if (!SCHEMA_DURATION_PATTERN.test(text)) {
    return { ok: false, rule: 'duration-format', reason: 'is not an ISO-8601 duration such as PT7M, PT1H30M or P1D' };
  }
  if (text.includes('.')) {
    return {
      ok: false,
      rule: 'duration-fraction',
      reason: 'uses a fraction: the C agent reads whole numbers only and would reject the whole configuration (write PT90M, not PT1.5H)',
    };
  }
  // Both patterns describe the same grammar, so a string that passed the schema pattern without a '.' matches.
  const [years, months, weeks, days, hours, minutes, seconds] = (INTEGER_DURATION.exec(text) as RegExpExecArray)
    .slice(1)
    .map((part) => Number(part ?? 0)) as [number, number, number, number, number, number, number];
  if (years > 0) {
    return {
      ok: false,
      rule: 'duration-years',
      reason: `uses years (${years}Y): the C agent ignores the year component while the C# agent counts it, so express the duration in months, days or hours`,
    };
  }
  const milliseconds =
    months * MONTH + weeks * WEEK + days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND;
  if (milliseconds === 0) {
    return { ok: false, rule: 'duration-zero', reason: 'is zero: the C agent rejects a zero duration and with it the whole configuration' };
  }
  if (milliseconds > MAX_AGENT_DURATION_MS) {
    return {
      ok: false,
      rule: 'duration-too-long',
      reason: `is longer than 49.7 days (${MAX_AGENT_DURATION_MS} ms): the C agent stores durations as 32-bit milliseconds and rejects longer ones`,
    };
  }
  return { ok: true, milliseconds, usesWeeks: text.includes('W') };
}
