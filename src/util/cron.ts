// Five-field cron schedules as cron(8) on FreeBSD reads them (crontab(5)); no @-shortcuts here
// because the entry is also written to /etc/crontab-style files with a user column.
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  { name: "day of week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Returns undefined when valid, otherwise what is wrong. */
export function cronScheduleError(schedule: string): string | undefined {
  // cron(8) separates fields with blanks only; a non-breaking space would glue two fields.
  const odd = /[^ \t0-9A-Za-z*,/-]/.exec(schedule);
  if (odd) {
    const code = odd[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
    return `a cron schedule holds digits, names, '*', ',', '-', '/' and blanks only; found U+${code}`;
  }
  const parts = schedule.trim().split(/[ \t]+/);
  if (parts.length !== 5)
    return `a cron schedule has 5 fields (minute hour day month weekday), found ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i] as (typeof FIELDS)[number];
    const text = parts[i] as string;
    for (const item of text.split(",")) {
      const m = /^(\*|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:\/([0-9]+))?$/i.exec(item);
      if (!m) return `${f.name} field '${text}' is not valid cron syntax`;
      const value = (v: string | undefined): number | undefined => {
        if (v === undefined) return undefined;
        if (/^[0-9]+$/.test(v)) return Number(v);
        const idx = f.names?.indexOf(v.toLowerCase()) ?? -1;
        return idx === -1 ? Number.NaN : idx + f.min;
      };
      for (const v of [value(m[2]), value(m[3])]) {
        if (v === undefined) continue;
        if (Number.isNaN(v) || v < f.min || v > f.max) {
          return `${f.name} field '${text}' is out of range ${f.min}-${f.max}`;
        }
      }
      const [from, to] = [value(m[2]), value(m[3])];
      if (from !== undefined && to !== undefined && from > to)
        return `${f.name} field '${text}' has a reversed range (${m[2]}-${m[3]} is empty)`;
      if (m[4] !== undefined && Number(m[4]) === 0)
        return `${f.name} field '${text}' has a step of 0`;
    }
  }
  // With the weekday unrestricted, cron runs on the listed days of the listed months only.
  if (parts[4] === "*" && parts[2] !== "*") {
    const days = expand(parts[2] as string, FIELDS[2] as (typeof FIELDS)[number]);
    const months = expand(parts[3] as string, FIELDS[3] as (typeof FIELDS)[number]);
    if (![...months].some((mo) => [...days].some((d) => d <= (DAYS_IN_MONTH[mo - 1] ?? 0)))) {
      return `the schedule '${schedule.trim()}' never runs: no listed month has that day`;
    }
  }
  return undefined;
}

/** How many minutes of an hour a valid schedule runs in (its minute field's values). */
export function minutesPerHour(schedule: string): number {
  const minute = schedule.trim().split(/[ \t]+/)[0] ?? "";
  return expand(minute, FIELDS[0] as (typeof FIELDS)[number]).size;
}

/** The values a (valid) field selects. */
function expand(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  const num = (v: string) =>
    /^[0-9]+$/.test(v) ? Number(v) : (f.names?.indexOf(v.toLowerCase()) ?? 0) + f.min;
  for (const item of text.split(",")) {
    const [range = "", step = "1"] = item.split("/");
    const [a = "", b] = range.split("-");
    const from = a === "*" ? f.min : num(a);
    const to = a === "*" ? f.max : b !== undefined ? num(b) : item.includes("/") ? f.max : from;
    for (let v = from; v <= to; v += Number(step)) out.add(v);
  }
  return out;
}
