/**
 * Every name the processes share in Redis, in one file (as BullMQ's `queue-keys.ts`):
 * the queue's name, our keys beside BullMQ's (`<prefix>:i2v:*`), and the bot's markers.
 * Everything sits under the configured prefix so several bots (and every test) can share
 * one Redis.
 */

/** BullMQ's queue name: its keys are `<prefix>:i2v:*`. */
export const QUEUE_NAME = 'i2v' as const;

export type QueueKeys = ReturnType<typeof queueKeys>;

export function queueKeys(prefix: string) {
  const base = `${prefix}:${QUEUE_NAME}x`;
  return {
    /** Hash: Discord message id → job id (reactions find their job). */
    messages: `${base}:messages`,
    /** Sorted set per member: job id scored by creation time. */
    user: (userId: string) => `${base}:user:${userId}`,
    /** String (JSON): the run of a job, written before it is submitted to ComfyUI. */
    run: (jobId: string) => `${base}:run:${jobId}`,
    /** String (JSON): the result of a job whose video Discord accepted (a takeover finishes with it). */
    delivery: (jobId: string) => `${base}:delivery:${jobId}`,
    /** String (JSON): how a job failed, in words. */
    failure: (jobId: string) => `${base}:failure:${jobId}`,
    /** String (JSON): the durable cancel marker. */
    cancel: (jobId: string) => `${base}:cancel:${jobId}`,
    /** Pub/sub channel every worker listens on for cancels. */
    cancelChannel: `${base}:cancel-channel`,
    /** List of recent durations (ms) per ETA key, newest first. */
    eta: (key: string) => `${base}:eta:${key}`,
    /** String (JSON): a delivered job's data and result, kept RESULT_KEEP_DAYS so its buttons work for weeks. */
    result: (jobId: string) => `${base}:result:${jobId}`,
    /** String (JSON): the image an Animate form is about, for the 15 minutes its modal can be submitted. */
    animateForm: (ref: string) => `${base}:animate:${ref}`,
    /** String: a form submission already acted on (two fast submits make one job). */
    formSubmitted: (digest: string) => `${base}:form:${digest}`,
    /** Every key we own, for cleanup. */
    pattern: `${base}:*`,
  } as const;
}

/** Keys of the Discord side: status-message markers, cooldowns, reaction dedupe. */
export function botKeys(prefix: string) {
  const base = `${prefix}:bot`;
  return {
    /** String: the message shows a final state; no progress edit may land after it. */
    final: (messageId: string) => `${base}:final:${messageId}`,
    /** String: a worker runs the job; the bot stops refreshing its waiting position. */
    running: (messageId: string) => `${base}:running:${messageId}`,
    /** String: the file name of the final edit Discord accepted (written after its answer). */
    landed: (messageId: string) => `${base}:landed:${messageId}`,
    /** String with a TTL: the member's cooldown after a job was accepted. */
    cooldown: (userId: string) => `${base}:cooldown:${userId}`,
    /** String with a TTL: this reaction on this message was handled (for anyone). */
    reaction: (messageId: string, emoji: string) => `${base}:react:${messageId}:${encodeURIComponent(emoji)}`,
    /** String with a TTL: this member's reaction on this message was handled. */
    memberReaction: (messageId: string, emoji: string, userId: string) => `${base}:react:${messageId}:${encodeURIComponent(emoji)}:${userId}`,
  } as const;
}
