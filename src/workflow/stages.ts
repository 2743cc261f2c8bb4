/** The stages of a job's life, in order: what a status message shows and a binding maps nodes to. */
export const STAGES = [
  'waiting',
  'uploading',
  'queued_on_gpu',
  'loading_models',
  'high_noise',
  'low_noise',
  'decoding',
  'encoding',
  'upscaling',
  'delivering',
] as const;
export type Stage = (typeof STAGES)[number];
