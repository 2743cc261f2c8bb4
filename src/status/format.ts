/** Small text helpers for status messages. Pure. */

/** A Discord timestamp the client renders in the reader's own time zone ("in 3 minutes"). */
export function relativeTime(epochMs: number): string {
  return `<t:${Math.round(epochMs / 1000)}:R>`;
}

/** "42s", "3m 05s", "1h 02m". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

const BAR_CELLS = 16;

/** A text bar: `▰▰▰▰▱▱▱▱▱▱▱▱▱▱▱▱`. */
export function progressBar(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * BAR_CELLS);
  return '▰'.repeat(filled) + '▱'.repeat(BAR_CELLS - filled);
}

/**
 * A member's prompt shown inside our message: one line, markdown and mentions defused,
 * cut to a readable length. (allowed_mentions blocks pings anyway; this keeps the layout.)
 */
export function quotePrompt(prompt: string, maxLength = 200): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  if (oneLine.length === 0) return '';
  const cut = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return cut.replace(/([\\*_~`|>#[\]()-])/g, '\\$1').replace(/@/g, '@\u200b');
}
