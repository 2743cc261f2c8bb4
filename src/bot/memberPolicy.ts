import { fail, ok, type Result } from '../errors.ts';

/**
 * The server's own rules for members, both optional: prompt terms it refuses
 * (BLOCKED_TERMS) and the channels where /i2v and Animate may be used
 * (ALLOWED_CHANNEL_IDS). Pure; every way of asking for a video applies them.
 */

/** A term matches whole words, case-insensitively ("cat" refuses "a Cat jumps", not "concatenate"). */
export function findBlockedTerm(text: string, terms: readonly string[]): string | undefined {
  const lower = text.toLowerCase();
  return terms.find((term) => {
    const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
}

export function checkPromptTerms(texts: readonly (string | undefined)[], terms: readonly string[]): Result<true> {
  for (const text of texts) {
    const term = text ? findBlockedTerm(text, terms) : undefined;
    if (term) return fail('blocked_term', `This server does not allow “${term}” in prompts. Change the prompt and try again.`);
  }
  return ok(true);
}

export function checkChannel(channelId: string | null, allowed: readonly string[]): Result<true> {
  if (allowed.length === 0 || (channelId && allowed.includes(channelId))) return ok(true);
  const where = allowed.map((id) => `<#${id}>`).join(', ');
  return fail('channel_not_allowed', `I make videos only in ${where} on this server. Ask there and I will answer.`);
}
