// Local checks of what the server would refuse in a schedule, so a bad `heartbeat.yml`
// fails before any write, naming the check and the field. They follow the server's own
// parsers (cronsim for cron, its OnCalendar reader) as far as they can be told from the
// outside; the server has the last word.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface CronFieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Day of month: `L` (last day) and `LW`. */
  lastDay?: boolean;
  /** Day of week: `5L` (last Friday) and `5#2` (second Friday). */
  nthDay?: boolean;
}

const CRON_FIELDS: readonly CronFieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, lastDay: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS, nthDay: true },
];

function cronValue(text: string, spec: CronFieldSpec): number | undefined {
  const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (i >= 0) return spec.names === MONTHS ? i + 1 : i;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : undefined;
}

function cronFieldError(text: string, spec: CronFieldSpec): string | undefined {
  const range = `${spec.min}-${spec.max}`;
  for (const item of text.split(',')) {
    const bad = `${spec.name} "${text}": "${item}" is not a value (${range}${spec.names ? ' or a name' : ''}), a range, * or a step`;
    if (item === '') return `${spec.name} "${text}" has an empty list item`;
    if (spec.lastDay && (item === 'L' || item === 'LW')) continue;
    if (spec.nthDay && /^\w+L$/.test(item)) {
      if (cronValue(item.slice(0, -1), spec) === undefined) return bad;
      continue;
    }
    if (spec.nthDay && /^\w+#\d+$/.test(item)) {
      const [day, nth] = item.split('#') as [string, string];
      if (cronValue(day, spec) === undefined || Number(nth) < 1 || Number(nth) > 5) return bad;
      continue;
    }
    const [span, step, extra] = item.split('/');
    if (extra !== undefined || span === undefined) return bad;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) {
      return `${spec.name} "${text}": the step "/${step}" must be a whole number from 1`;
    }
    if (span === '*') continue;
    const [from, to, more] = span.split('-');
    if (more !== undefined || from === undefined) return bad;
    const a = cronValue(from, spec);
    const b = to === undefined ? a : cronValue(to, spec);
    if (a === undefined || b === undefined) return bad;
    if (b < a) return `${spec.name} "${text}": the range ${span} runs backwards`;
  }
  return undefined;
}

/** Why a cron expression (five fields) is invalid, or undefined when it is valid. */
export function cronError(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has ${fields.length}`;
  }
  for (const [i, spec] of CRON_FIELDS.entries()) {
    const error = cronFieldError(fields[i] as string, spec);
    if (error) return error;
  }
  return undefined;
}

const SHORTHANDS =
  /^(minutely|hourly|daily|weekly|monthly|yearly|annually|quarterly|semiannually)$/i;
const DAY = '(mon|tue|wed|thu|fri|sat|sun)[a-z]*';
const WEEKDAYS = new RegExp(`^${DAY}((\\.\\.|,)${DAY})*$`, 'i');
const NUM = '(\\*|\\d+)(\\.\\.\\d+)?(/\\d+)?';
const LIST = `${NUM}(,${NUM})*`;
const DATE = new RegExp(`^((${LIST})-)?(${LIST})-(${LIST})$`);
const TIME = new RegExp(`^(${LIST}):(${LIST})(:(${LIST}))?$`);

/**
 * Why a systemd OnCalendar expression is invalid, or undefined when it looks valid: an
 * optional weekday part (`Mon..Fri`, `Sat,Sun`), an optional date (`*-*-01`), and a time
 * (`08:00`, `*:0/15`), or a shorthand (`daily`). One expression per line.
 */
export function onCalendarError(expression: string): string | undefined {
  const lines = expression.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return 'the OnCalendar expression is empty';
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 1 && SHORTHANDS.test(parts[0] as string)) continue;
    let i = 0;
    if (WEEKDAYS.test(parts[i] ?? '')) i++;
    if (i < parts.length && DATE.test(parts[i] as string)) i++;
    if (i < parts.length && TIME.test(parts[i] as string)) i++;
    if (i !== parts.length || i === 0) {
      return `"${line.trim()}" is not an OnCalendar expression ([weekdays] [date] time, e.g. "Mon..Fri 08:00" or "*-*-01 03:30")`;
    }
  }
  return undefined;
}

/**
 * A schedule as the file may give it: cron (`0 3 * * *`) or OnCalendar (`Mon..Fri 08:00`,
 * optionally written `OnCalendar=Mon..Fri 08:00`). Returns the expression to send, or the
 * reason it is invalid.
 */
export function readSchedule(text: string): { schedule: string } | { error: string } {
  const trimmed = text.trim();
  const onCalendar = /^OnCalendar\s*=\s*/i.exec(trimmed);
  if (onCalendar) {
    const expression = trimmed.slice(onCalendar[0].length);
    const error = onCalendarError(expression);
    return error ? { error } : { schedule: expression };
  }
  if (trimmed === '') return { error: 'the schedule is empty' };
  const fields = trimmed.split(/\s+/);
  // Five fields of cron characters: read it as cron (and say what is wrong as cron).
  if (
    fields.length === 5 &&
    fields.every((f) => /^[\d*,/\-A-Za-z#?]+$/.test(f)) &&
    !trimmed.includes(':')
  ) {
    const error = cronError(trimmed);
    return error ? { error } : { schedule: trimmed };
  }
  if (onCalendarError(trimmed) === undefined) return { schedule: trimmed };
  return { error: cronError(trimmed) ?? 'not a cron or OnCalendar expression' };
}

/** Whether `zone` is an IANA time zone name this runtime knows (as the server's list does). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() !== zone || zone === '' || /^[+-]?\d/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
