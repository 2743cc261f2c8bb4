/**
 * The prompt id of a job's attempt, chosen by us so that any worker can find the prompt in
 * ComfyUI again (re-attach instead of submitting twice). Also the prefix of its output files.
 * ComfyUI before 0.3.45 ignores it and picks its own (the pipeline then records that one).
 */
export function promptIdFor(jobId: string, attempt: number): string {
  return `${jobId}-a${attempt}`;
}
