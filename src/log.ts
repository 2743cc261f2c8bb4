import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear, so a token never reaches a log by
 * accident: secrets are redacted by configuration, not by care.
 */
export const redactPaths = [
  'token',
  '*.token',
  '*.*.token',
  'DISCORD_TOKEN',
  '*.DISCORD_TOKEN',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'config.DISCORD_TOKEN',
  'interactionToken',
  '*.interactionToken',
  'password',
  '*.password',
] as const;

export type LogOptions = {
  /** pino level; default `info`. */
  level?: string;
  /** `json` (default when not a terminal) or `pretty` (default in a terminal). */
  format?: 'json' | 'pretty' | undefined;
  /** Where to write; default stdout. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
};

export function createLogger(options: LogOptions = {}): Logger {
  const base: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: [...redactPaths], censor: '[redacted]' },
    base: { app: 'oelala-bot' },
  };
  if (options.destination) return pino(base, options.destination);
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format === 'pretty') {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino(base);
}

/** A logger that says nothing, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
