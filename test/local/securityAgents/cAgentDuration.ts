// ISO-8601 durations as the Azure IoT Security C agent reads and writes them (AGC
// src/agent/src/internal/time_utils.c, domain.md §1.4), which is not the product's reading
// (src/domain/agentDuration.ts checks what *both* agents accept): the simulated agent must behave like the
// agent, quirks included, so that a test can tell when the product and the agent disagree.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** time_utils_consts: a month is 30 days. */
const MONTH = 30 * DAY;
/** Durations are kept as uint32 milliseconds; every component and sum is overflow-checked against it. */
const UINT32_MAX = 0xffff_ffff;

/** One `sscanf("%u%c")`: a whole number and the designator after it (signs and spaces, which %u would skip, are not modelled). */
const COMPONENT = /^(\d+)(.)/;

/**
 * Milliseconds, or undefined where the C agent fails to parse (and so rejects the whole configuration):
 * - `P`, then a date part of Y, M, W, D in that order, then `T` and a time part of H, M, S in that order;
 * - whole numbers only (`PT1.5H` fails: the scan stops at the `.`); an empty part fails (`P`, `PT`, `P5DT`);
 * - the years are scanned and dropped: `P1Y` is zero, `P1Y1M` one month, and `P1YT5M` five minutes,
 *   because the date parser returns right after the years without writing its result (domain.md §1.4);
 * - zero fails, and so does anything beyond 2^32 - 1 ms (about 49.7 days).
 */
export function parseCAgentDuration(text: string): number | undefined {
  if (!text.startsWith('P')) return undefined;
  const t = text.indexOf('T');
  let total = 0;
  if (t !== 1) {
    const date = parseDatePart(t === -1 ? text.slice(1) : text.slice(1, t));
    if (date === undefined) return undefined;
    total += date;
  }
  if (t !== -1) {
    const time = parseParts(text.slice(t + 1), [['H', HOUR], ['M', MINUTE], ['S', SECOND]]);
    if (time === undefined) return undefined;
    total += time;
  }
  return total === 0 || total > UINT32_MAX ? undefined : total;
}

function parseDatePart(date: string): number | undefined {
  const years = /^(\d+)Y/.exec(date);
  if (years !== null) {
    const rest = date.slice(years[0].length);
    // Right after the years, an end of the date part returns success with nothing written: zero.
    return rest === '' ? 0 : parseParts(rest, [['M', MONTH], ['W', WEEK], ['D', DAY]]);
  }
  return parseParts(date, [['M', MONTH], ['W', WEEK], ['D', DAY]]);
}

/** Components in the order given, each at most once, nothing left over; undefined on any deviation. */
function parseParts(text: string, units: readonly (readonly [designator: string, milliseconds: number])[]): number | undefined {
  let rest = text;
  let total = 0;
  let next = 0;
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = COMPONENT.exec(rest);
    if (match === null) return undefined;
    const [scanned, digits, designator] = match as unknown as [string, string, string];
    const index = units.findIndex(([unit], i) => i >= next && unit === designator);
    if (index === -1) return undefined;
    const value = Number(digits) * (units[index] as readonly [string, number])[1];
    if (value > UINT32_MAX) return undefined;
    total += value;
    next = index + 1;
    rest = rest.slice(scanned.length);
  }
  return total > UINT32_MAX ? undefined : total;
}

/**
 * The C agent's canonical form (TimeUtils_MillisecondsToISO8601DurationString): months, weeks and days,
 * then `T` with hours, minutes and seconds, each only when not zero. So `PT420S` comes back as `PT7M`,
 * `PT24H` as `P1D` and `P14D` as `P2W`.
 */
export function formatCAgentDuration(milliseconds: number): string {
  let rest = milliseconds;
  const take = (unit: number): number => {
    const count = Math.floor(rest / unit);
    rest -= count * unit;
    return count;
  };
  const [months, weeks, days, hours, minutes, seconds] = [MONTH, WEEK, DAY, HOUR, MINUTE, SECOND].map(take) as [number, number, number, number, number, number];
  const part = (count: number, designator: string): string => (count > 0 ? `${count}${designator}` : '');
  const time = `${part(hours, 'H')}${part(minutes, 'M')}${part(seconds, 'S')}`;
  return `P${part(months, 'M')}${part(weeks, 'W')}${part(days, 'D')}${time === '' ? '' : `T${time}`}`;
}
