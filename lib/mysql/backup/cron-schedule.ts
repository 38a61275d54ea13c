/**
 * The CronJob schedule syntax the Kubernetes controller accepts (the standard parser of
 * robfig/cron v3: five fields, or a descriptor such as `@daily`; `TZ=` prefixes are
 * refused since Kubernetes 1.27 in favour of `timeZone`). Hand-written: the check is
 * small, and a runtime dependency in a jsii library must be bundled into every
 * language's package.
 */

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names standing for numbers (JAN = 1, SUN = 0). */
  readonly names?: readonly string[];
  readonly namesStartAt?: number;
  /** `?` means "any" in the day fields. */
  readonly question?: boolean;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesStartAt: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, namesStartAt: 0, question: true },
];

function value(field: Field, text: string): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) {
    return named + (field.namesStartAt ?? 0);
  }
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Why one comma-separated part of a field is wrong, or undefined. */
function partProblem(field: Field, part: string): string | undefined {
  const [range, step, extra] = part.split('/');
  if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step)) || step === '0') {
    return `"${part}" has a bad step (expected range/n with n >= 1)`;
  }
  if (range === '*' || (range === '?' && field.question)) {
    return undefined;
  }
  const bounds = range.split('-');
  if (bounds.length > 2) {
    return `"${part}" is not a value or a range a-b`;
  }
  const numbers = bounds.map(b => value(field, b));
  if (numbers.some(n => n === undefined || n < field.min || n > field.max)) {
    return `"${part}" is outside ${field.min}-${field.max}${field.names ? ` (or ${field.names[0]}-${field.names[field.names.length - 1]})` : ''}`;
  }
  if (numbers.length === 2 && numbers[0]! > numbers[1]!) {
    return `"${part}" runs backwards`;
  }
  return undefined;
}

/** Throws unless `schedule` is a schedule the CronJob controller accepts; returns it. */
export function requireCronSchedule(what: string, schedule: string): string {
  const fail = (why: string): never => {
    throw new Error(`${what} must be a cron schedule of five fields (minute hour day-of-month month day-of-week), e.g. '0 3 * * *', one of ${DESCRIPTORS.join(', ')}, or @every <duration>: ${why} (got ${JSON.stringify(schedule)})`);
  };
  if (typeof schedule !== 'string') {
    return fail('not a string');
  }
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return fail('a TZ= prefix is refused by Kubernetes; use backup.timeZone');
  }
  if (text.startsWith('@every ')) {
    // robfig/cron's "@every <Go duration>", e.g. @every 1h30m.
    return /^@every ((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(text) && !/^@every (0+(\.0+)?[a-zµ]+)+$/.test(text)
      ? text : fail('@every needs a positive duration such as 1h30m');
  }
  if (text.startsWith('@')) {
    return DESCRIPTORS.includes(text) ? text : fail(`unknown descriptor ${text}`);
  }
  const fields = text.split(/\s+/);
  if (fields.length !== FIELDS.length) {
    return fail(`${fields.length} fields`);
  }
  fields.forEach((field, index) => {
    for (const part of field.split(',')) {
      const problem = partProblem(FIELDS[index], part);
      if (problem) {
        fail(`${FIELDS[index].name}: ${problem}`);
      }
    }
  });
  return text;
}
