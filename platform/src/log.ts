/** Minimal structured logger for the platform processes: one JSON line per event on stderr-free stdout. */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

let threshold: number = order[(process.env.PLATFORM_LOG_LEVEL as Level) ?? 'info'] ?? order.info;

export function setLogLevel(level: Level | 'silent') {
  threshold = order[level];
}

function emit(level: Level, service: string, msg: string, fields?: Record<string, unknown>) {
  if (order[level] < threshold) return;
  const line = { t: new Date().toISOString(), level, service, msg, ...fields };
  const out = level === 'error' || level === 'warn' ? process.stderr : process.stdout;
  out.write(`${JSON.stringify(line)}\n`);
}

export type Logger = ReturnType<typeof createLogger>;

export function createLogger(service: string) {
  return {
    debug: (msg: string, fields?: Record<string, unknown>) => emit('debug', service, msg, fields),
    info: (msg: string, fields?: Record<string, unknown>) => emit('info', service, msg, fields),
    warn: (msg: string, fields?: Record<string, unknown>) => emit('warn', service, msg, fields),
    error: (msg: string, fields?: Record<string, unknown>) => emit('error', service, msg, fields),
  };
}
