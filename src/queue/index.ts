/** The queue's public face: what the bot, the worker and admin commands use. */
export { createRedisConnection } from './connection.ts';
export { createQueueContext, jobDefaults, type JobDefaults, type QueueContext, type QueueContextOptions, type I2vQueue } from './context.ts';
export { createJobId, isJobId } from './jobId.ts';
export { enqueueJob, setDiscordTarget, findJobIdByMessage, type EnqueueOptions } from './enqueueJob.ts';
export {
  getJob,
  findJobByMessage,
  listUserJobs,
  countWaitingForUser,
  waitingOrder,
  counts,
  listJobs,
  JOB_STATES,
  type JobState,
  type QueueJob,
  type QueueCounts,
} from './readJobs.ts';
export { requestCancel, isCancelRequested, subscribeToCancels, type CancelOutcome, type CancelSubscription } from './cancel.ts';
export { pauseQueue, resumeQueue, isPaused, clearWaiting, retryFailed } from './admin.ts';
export { saveResult, loadResult, storedResultSchema, type StoredResult } from './results.ts';
export { recordRun, getRun, recordFailure, getFailure, getCancelMarker } from './jobRecords.ts';
export { recordDuration, estimateDuration, formulaDurationMs, etaKeyText, type EtaKey, type WorkloadShape } from './eta.ts';
export * from './schemas.ts';
export { QUEUE_NAME, queueKeys, botKeys, type QueueKeys } from './keys.ts';
export { silentReporter, type JobRef, type Reporter } from './reporter.ts';
