import { fail, ok, type Result } from '../errors.ts';

/**
 * A member's limits, decided from numbers read elsewhere so the rule itself is pure:
 * how many of their jobs wait, and how long ago their last job was accepted.
 */

export type LimitFacts = {
  isAdmin: boolean;
  waitingJobs: number;
  maxWaiting: number;
  /** Milliseconds left of the member's cooldown, 0 when none. */
  cooldownLeftMs: number;
};

export function checkUserLimits(facts: LimitFacts): Result<true> {
  if (facts.isAdmin) return ok(true);
  if (facts.waitingJobs >= facts.maxWaiting) {
    const jobs = facts.maxWaiting === 1 ? 'one job' : `${facts.maxWaiting} jobs`;
    return fail(
      'too_many_waiting',
      `You already have ${jobs} waiting, which is the most allowed at once. ` +
        'Wait for one to start (see `/jobs`), or cancel one with ❌ on its message.',
    );
  }
  if (facts.cooldownLeftMs > 0) {
    const seconds = Math.ceil(facts.cooldownLeftMs / 1000);
    return fail('cooldown', `Please wait ${seconds} more second${seconds === 1 ? '' : 's'} before starting another video.`);
  }
  return ok(true);
}
