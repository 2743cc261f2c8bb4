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

/** The longest string a log line keeps of any one value (the ComfyUI client trims bodies to the same). */
export const MAX_LOG_STRING_CHARS = 2048;
/** Array items kept per array; the rest is counted. */
const MAX_LOG_ARRAY_ITEMS = 20;
/** Nesting kept; deeper objects become '[…]'. */
const MAX_LOG_DEPTH = 6;
/**
 * Keys whose values are request payloads, never worth a log line: discord.js puts the whole
 * multipart body (the MP4 as a byte array) on `requestBody` of every REST error.
 */
const PAYLOAD_KEYS = new Set(['requestBody', 'rawBody']);

function trimString(text: string): string {
  return text.length <= MAX_LOG_STRING_CHARS ? text : `${text.slice(0, MAX_LOG_STRING_CHARS)}…[${text.length - MAX_LOG_STRING_CHARS} more chars]`;
}

function describePayload(value: unknown): string {
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'string') return `[${value.length} chars]`;
  return '[payload]';
}

/** What a request body held, without holding it: file names and sizes (discord.js's `{ files, json }`). */
function summarizeBody(body: unknown): unknown {
  const files = (body as { files?: unknown }).files;
  if (!Array.isArray(files)) return describePayload(body);
  return {
    files: files.slice(0, MAX_LOG_ARRAY_ITEMS).map((file: { name?: unknown; data?: unknown }) => ({
      name: typeof file?.name === 'string' ? trimString(file.name) : undefined,
      size: describePayload(file?.data),
    })),
    json: '[omitted]',
  };
}

/** pino's error serializer (type, message and stack with causes, own fields) as a plain object. */
function serializeError(error: Error): Record<string, unknown> {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  for (const key in serialized) if (key !== 'raw') plain[key] = serialized[key];
  return plain;
}

/**
 * A copy of what is logged with payloads named instead of written, strings trimmed and
 * arrays and nesting bounded, so one line stays small whatever an error carries.
 * Errors go through pino's error serializer first (type, message, stack, cause chain).
 */
export function boundLogValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return trimString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return describePayload(value);
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_LOG_DEPTH) return '[…]';
  seen.add(value);
  if (value instanceof Error) return boundLogValue(serializeError(value), depth, seen);
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_LOG_ARRAY_ITEMS).map((item) => boundLogValue(item, depth + 1, seen));
    return value.length > MAX_LOG_ARRAY_ITEMS ? [...kept, `[${value.length - MAX_LOG_ARRAY_ITEMS} more items]`] : kept;
  }
  if (value instanceof Date || value instanceof URL) return value;
  const bounded: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'function') continue;
    bounded[key] = PAYLOAD_KEYS.has(key) && item !== undefined && item !== null ? summarizeBody(item) : boundLogValue(item, depth + 1, seen);
  }
  return bounded;
}

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
    // Payloads and long values are bounded by configuration, wherever a caller put them.
    formatters: { log: (object) => boundLogValue(object) as Record<string, unknown> },
    // Errors were serialized (and bounded) by the formatter above; serializing again would lose their type.
    serializers: { err: (value: unknown) => value },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? trimString(arg) : arg)) as Parameters<typeof method>);
      },
    },
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
