/**
 * Messages for prompts nobody follows yet. A worker subscribes right after `/prompt`
 * answers, but an idle GPU may already have started (and, with cached nodes, even
 * finished) the prompt by then; the first follower gets what it missed, in order.
 * Previews are not kept (they are big and only worth seeing live).
 */

export type UnclaimedLimits = {
  /** Prompts kept at once; the oldest goes first. */
  prompts: number;
  /** Messages kept per prompt. */
  messages: number;
  /** How long an unclaimed prompt's messages are kept. */
  ageMs: number;
};

export const defaultUnclaimedLimits = { prompts: 32, messages: 1000, ageMs: 60_000 } as const satisfies UnclaimedLimits;

export function createUnclaimed<M>(limits: UnclaimedLimits = defaultUnclaimedLimits, now: () => number = Date.now) {
  const kept = new Map<string, { since: number; messages: M[] }>();

  const prune = () => {
    const oldest = now() - limits.ageMs;
    for (const [promptId, entry] of kept) if (entry.since < oldest) kept.delete(promptId);
    while (kept.size > limits.prompts) kept.delete(kept.keys().next().value!);
  };

  return {
    keep(promptId: string, message: M): void {
      const entry = kept.get(promptId) ?? { since: now(), messages: [] };
      if (entry.messages.length < limits.messages) entry.messages.push(message);
      kept.set(promptId, entry);
      prune();
    },
    /** The messages kept for a prompt, handed over once. */
    claim(promptId: string): M[] {
      prune();
      const entry = kept.get(promptId);
      kept.delete(promptId);
      return entry?.messages ?? [];
    },
    get size() {
      return kept.size;
    },
  };
}
