// Structured logs: logfmt (default) or JSON lines on stderr. Fields whose names look like
// secrets are redacted so a config or request can be logged without leaking credentials.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const SECRET_KEY = /pass(word)?|secret|token|credential|authorization|api_?key|webhook_url/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'logfmt' | 'json';
  write?: (line: string) => void;
}

function fmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
  return /[\s"=]/.test(s ?? '') || s === '' ? JSON.stringify(s) : String(s);
}

export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== '' ? '<secret>' : v;
  return out;
}

export function createLogger(opts: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const format = opts.format ?? 'logfmt';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const all = redact({ ...base, ...fields });
    if (format === 'json') {
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...all }, (_k, v) => (v instanceof Error ? v.message : v)));
    } else {
      let line = `ts=${new Date().toISOString()} level=${level} msg=${fmtValue(msg)}`;
      for (const [k, v] of Object.entries(all)) if (v !== undefined) line += ` ${k}=${fmtValue(v)}`;
      write(line);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(opts, { ...base, ...f }),
  };
}

/** A logger that drops everything (tests, library use). */
export const nopLogger: Logger = createLogger({ level: 'error', write: () => {} });
