/**
 * The fake's sense of time. Token ages (3 s, 15 min) and CDN link expiry are read from
 * this clock, so a test can age an interaction with `advanceClock` instead of waiting.
 * Rate-limit windows use real time, because discord.js waits for them in real time.
 */
export type Clock = {
  /** Milliseconds since the epoch, real time plus every `advance` so far. */
  now(): number;
  advance(ms: number): void;
};

export function createClock(): Clock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}

const discordEpochMs = 1_420_070_400_000n;

/**
 * Real snowflakes (timestamp << 22 | worker | increment): 18-19 digits today, which
 * discord.js needs to bucket routes by their major parameter (`\d{17,19}`).
 * Strictly increasing, so ids sort like Discord's even within one millisecond.
 */
export function createSnowflakes(clock: Clock): () => string {
  let last = 0n;
  return () => {
    const fromTime = (BigInt(clock.now()) - discordEpochMs) << 22n;
    last = fromTime > last ? fromTime | (1n << 17n) : last + 1n;
    return last.toString();
  };
}

/** The creation time a snowflake carries, in ms since the epoch. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + discordEpochMs);
}
