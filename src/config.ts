import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseDuration } from './ops/duration.ts';

/**
 * The environment, parsed once. Every variable is documented in `.env.example`;
 * keep the two in step. Parse at the edge: inner code takes a typed `Config`.
 */

const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const snowflakeList = csv.pipe(z.array(z.string().regex(/^\d{15,21}$/, 'must be Discord ids (digits)')));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** A duration such as `14d`, `30m` or `45s` (a bare number is days), as milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const parsed = parseDuration(text === '' ? fallback : text);
      if (parsed.ok) return parsed.ms;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    });

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const configSchema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').default('redis://127.0.0.1:6379'),
  COMFYUI_URL: csv.pipe(z.array(httpUrl).min(1, 'needs at least one ComfyUI URL')).default(['http://127.0.0.1:8188']),
  DISCORD_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(20, 'looks too short for a bot token').optional()),
  DISCORD_APP_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{15,21}$/, 'must be the application id (digits)').optional()),
  DISCORD_GUILD_ID: z.preprocess(emptyAsUndefined, z.string().regex(/^\d{15,21}$/, 'must be a server id (digits)').optional()),
  DISCORD_API_BASE: httpUrl.default('https://discord.com/api'),
  ATTACHMENT_HOSTS: csv.default(['cdn.discordapp.com', 'media.discordapp.net']),
  ADMIN_ROLE_IDS: snowflakeList,
  ADMIN_USER_IDS: snowflakeList,
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  QUEUE_PREFIX: z.string().min(1).default('oelala'),
  WORKFLOW_DIR: z.string().min(1).default('./workflows'),
  PRESET_DIR: z.string().min(1).default('./presets'),
  DISTORCH_COMPUTE_DEVICE: z.string().min(1).default('cuda:0'),
  DISTORCH_ALLOCATIONS: z.string().default('cuda:0,0.25gb;cuda:1,8gb;cpu,*'),
  MAX_WAITING_PER_USER: nonNegativeInt(3),
  USER_COOLDOWN_SECONDS: nonNegativeInt(0),
  EDIT_INTERVAL_MS: positiveInt(2000),
  PROMPTS_PER_INSTANCE: z.coerce.number().int().min(1).max(4).default(2),
  MAX_INPUT_BYTES: positiveInt(25 * 1024 * 1024),
  MAX_INPUT_PIXELS: positiveInt(50_000_000),
  SHUTDOWN_GRACE_SECONDS: positiveInt(60),
  METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  RETENTION: duration('14d'),
  RETENTION_SWEEP_INTERVAL: duration('1m'),
  PUBLIC_BASE_URL: z.preprocess(emptyAsUndefined, httpUrl.optional()),
  LINK_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'needs at least 32 characters').optional()),
  LINK_TTL: duration('7d'),
  /** Prompt words refused privately (comma-separated, case-insensitive); empty: none. */
  BLOCKED_TERMS: csv.transform((terms) => terms.map((term) => term.toLowerCase())),
  /** Channels where members may use /i2v and Animate; empty: every channel the bot can see. */
  ALLOWED_CHANNEL_IDS: snowflakeList,
  /** How many times one clip may be extended with ⏩. */
  MAX_EXTENSIONS: nonNegativeInt(3),
  /** Days a result's buttons keep working (its record in Redis; the files must still be in DATA_DIR). */
  RESULT_KEEP_DAYS: positiveInt(90),
});

export type Config = z.infer<typeof configSchema>;

/** What each variable is for, so a problem message can say how to fix it. */
const hints: Partial<Record<keyof Config, string>> = {
  REDIS_URL: 'e.g. redis://127.0.0.1:6379',
  COMFYUI_URL: 'a comma-separated list, e.g. http://127.0.0.1:8188,http://gpu2:8188',
  DISCORD_TOKEN: 'the bot token from the Developer Portal → Bot → Reset Token',
  DISCORD_APP_ID: 'the Application ID from the Developer Portal → General Information',
  DISCORD_GUILD_ID: 'right-click your server with Developer Mode on → Copy Server ID',
  METRICS_PORT: 'a free TCP port for /healthz, /readyz, /metrics and video links; empty: off',
  RETENTION: 'e.g. 14d, 12h, 30m',
  RETENTION_SWEEP_INTERVAL: 'e.g. 1m, 30s',
  PUBLIC_BASE_URL: 'the public address of the metrics port, e.g. https://bot.example.org',
  LINK_SECRET: 'e.g. the output of `openssl rand -hex 32`; empty: one is kept in DATA_DIR/.link-secret',
};

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Pure: parse an environment object into a Config or a list of every problem found. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'environment') as keyof Config;
    const hint = hints[key];
    return `${key}: ${issue.message}${hint ? ` (${hint})` : ''}`;
  });
  return { ok: false, problems };
}

/** The roles a process can play; each needs a different part of the environment. */
export type Role = 'bot' | 'worker' | 'register';

/** Pure: the variables a role needs that the config lacks. */
export function missingForRole(config: Config, role: Role): string[] {
  const missing: string[] = [];
  if (role === 'bot' || role === 'register') {
    if (!config.DISCORD_TOKEN) missing.push(`DISCORD_TOKEN: required to run the bot (${hints.DISCORD_TOKEN})`);
    if (!config.DISCORD_APP_ID) missing.push(`DISCORD_APP_ID: required to run the bot (${hints.DISCORD_APP_ID})`);
  }
  return missing;
}

/** Read `.env` when present (real environment wins), without a dependency. */
function readDotEnv(path: string): void {
  if (!existsSync(path)) return;
  process.loadEnvFile(path);
}

/**
 * Load the environment for a process playing `roles`. On any problem, print one
 * message listing all of them and exit: a half-configured bot is worse than none.
 */
export function loadConfig(roles: Role[] = [], env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env) readDotEnv(resolve('.env'));
  const result = parseConfig(env);
  const problems = result.ok ? roles.flatMap((role) => missingForRole(result.config, role)) : result.problems;
  if (!result.ok || problems.length > 0) {
    const list = [...new Set(problems)].map((problem) => `  - ${problem}`).join('\n');
    process.stderr.write(`oelala-bot cannot start; fix these in the environment or .env (see .env.example):\n${list}\n`);
    process.exit(1);
  }
  return result.config;
}
