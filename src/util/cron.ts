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

/** Returns undefined when valid, otherwise what is wrong. */
export function cronScheduleError(schedule: string): string | undefined {
  const parts = schedule.trim().split(/\s+/);
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
      if (m[4] !== undefined && Number(m[4]) === 0)
        return `${f.name} field '${text}' has a step of 0`;
    }
  }
  return undefined;
}
