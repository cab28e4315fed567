// Alertmanager time intervals: times, weekdays, days_of_month (negative = from month end),
// months, years, evaluated in an optional IANA location.
export interface Range { begin: number; end: number }

export interface TimeInterval {
  times?: { startMinute: number; endMinute: number }[];
  weekdays?: Range[];
  daysOfMonth?: Range[];
  months?: Range[];
  years?: Range[];
  location?: string;
}

const WEEKDAYS: Record<string, number> = { sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6 };
const MONTHS: Record<string, number> = {
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6,
  july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
};
const MONTH_NAMES = Object.keys(MONTHS);

function parseRange(s: string, names: Record<string, number> | null, what: string): Range {
  const parts = s.split(':');
  if (parts.length > 2) throw new Error(`invalid range ${JSON.stringify(s)}`);
  const one = (p: string): number => {
    const k = p.toLowerCase();
    if (names && k in names) return names[k]!;
    if (/^-?\d+$/.test(p)) return Number(p);
    throw new Error(`${p} is not a valid ${what}`);
  };
  const begin = one(parts[0]!);
  const end = parts.length === 2 ? one(parts[1]!) : begin;
  return { begin, end };
}

export function parseWeekdayRange(s: string): Range {
  const parts = s.split(':');
  for (const p of parts) if (!(p.toLowerCase() in WEEKDAYS)) throw new Error(`${p} is not a valid weekday`);
  const r = parseRange(s, WEEKDAYS, 'weekday');
  if (r.begin > r.end) throw new Error('start day cannot be before end day');
  return r;
}

export function parseDayOfMonthRange(s: string): Range {
  const r = parseRange(s, null, 'day of month');
  if (r.begin === 0 || r.begin < -31 || r.begin > 31) throw new Error(`${r.begin} is not a valid day of the month: out of range`);
  if (r.end === 0 || r.end < -31 || r.end > 31) throw new Error(`${r.end} is not a valid day of the month: out of range`);
  if (r.begin < 0 && r.end > 0) throw new Error('end day must be negative if start day is negative');
  const cb = r.begin < 0 ? 28 + r.begin : r.begin;
  const ce = r.end < 0 ? 28 + r.end : r.end;
  if (cb > ce) throw new Error(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

export function parseMonthRange(s: string): Range {
  // Alertmanager 0.25 does not range-check numeric months (13 simply never matches).
  const r = parseRange(s, MONTHS, 'month');
  if (r.begin > r.end) throw new Error(`end month ${MONTH_NAMES[r.end - 1] ?? r.end} is before start month ${MONTH_NAMES[r.begin - 1] ?? r.begin}`);
  return r;
}

export function parseYearRange(s: string): Range {
  const r = parseRange(s, null, 'year');
  if (r.begin > r.end) throw new Error(`end year ${r.end} is before start year ${r.begin}`);
  return r;
}

const TIME_RE = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;
export function parseClock(s: string): number {
  if (!TIME_RE.test(s)) throw new Error(`couldn't parse timestamp ${s}, invalid format`);
  const [h, m] = s.split(':').map(Number);
  return h! * 60 + m!;
}

export function validateLocation(loc: string): void {
  if (loc === 'Local' || loc === 'UTC' || loc === '') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: loc });
  } catch {
    throw new Error(`unknown time zone ${loc}`);
  }
}

interface Wall { year: number; month: number; day: number; weekday: number; minute: number }

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function wallClock(t: number, loc: string | undefined): Wall {
  if (!loc || loc === 'UTC') {
    const d = new Date(t);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay(), minute: d.getUTCHours() * 60 + d.getUTCMinutes() };
  }
  if (loc === 'Local') {
    const d = new Date(t);
    return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), weekday: d.getDay(), minute: d.getHours() * 60 + d.getMinutes() };
  }
  let f = fmtCache.get(loc);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: loc, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    fmtCache.set(loc, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(t))) p[part.type] = part.value;
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!);
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), weekday: wd, minute: Number(p.hour) * 60 + Number(p.minute) };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function intervalContains(ti: TimeInterval, t: number): boolean {
  const w = wallClock(t, ti.location);
  if (ti.times && !ti.times.some((r) => w.minute >= r.startMinute && w.minute < r.endMinute)) return false;
  if (ti.daysOfMonth) {
    const dim = daysInMonth(w.year, w.month);
    let inside = false;
    for (const r of ti.daysOfMonth) {
      let b = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      let e = r.end < 0 ? dim + r.end + 1 : r.end;
      if (b > dim) continue;
      b = Math.max(-dim, Math.min(dim, b));
      e = Math.max(-dim, Math.min(dim, e));
      if (w.day >= b && w.day <= e) { inside = true; break; }
    }
    if (!inside) return false;
  }
  if (ti.months && !ti.months.some((r) => w.month >= r.begin && w.month <= r.end)) return false;
  if (ti.weekdays && !ti.weekdays.some((r) => w.weekday >= r.begin && w.weekday <= r.end)) return false;
  if (ti.years && !ti.years.some((r) => w.year >= r.begin && w.year <= r.end)) return false;
  return true;
}

export function anyIntervalContains(tis: readonly TimeInterval[], t: number): boolean {
  return tis.some((ti) => intervalContains(ti, t));
}
