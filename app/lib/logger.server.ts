import { type DestinationStream, pino } from 'pino';
import { env } from '~/lib/env.server';

/** One line per record for humans in dev and test: `12:00:00 INFO  GET /office 200 12ms {…rest}`. */
function conciseStream(): DestinationStream {
  const levelNames: Record<number, string> = {
    10: 'TRACE',
    20: 'DEBUG',
    30: 'INFO',
    40: 'WARN',
    50: 'ERROR',
    60: 'FATAL',
  };
  return {
    write(line: string) {
      const { level, time, msg, pid: _pid, hostname: _hostname, err, ...rest } = JSON.parse(line);
      const clock = new Date(time).toISOString().slice(11, 19);
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      const out = `${clock} ${(levelNames[level] ?? level).padEnd(5)} ${msg ?? ''}${extra}\n`;
      const stream = level >= 50 ? process.stderr : process.stdout;
      stream.write(err?.stack ? `${out}${err.stack}\n` : out);
    },
  };
}

export const logger =
  env.NODE_ENV === 'production'
    ? pino({ level: env.LOG_LEVEL })
    : pino({ level: env.LOG_LEVEL }, conciseStream());
