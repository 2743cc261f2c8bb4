import { QUEUE_NAME } from './schemas.ts';

/**
 * Our own Redis keys, beside BullMQ's (`<prefix>:i2v:*`). Everything sits under the
 * configured prefix so several bots (and every test) can share one Redis.
 */
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
