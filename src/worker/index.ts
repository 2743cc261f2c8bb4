/** The worker's public face: what src/main.ts, the CLI and tests use. */
export { startWorker, loadWorkerAssets, workerTuningDefaults, type StartWorkerOptions, type WorkerHandle, type WorkerTuning } from './startWorker.ts';
export { installShutdownSignals } from './signals.ts';
export { runJob, pipelineSettingsFromConfig, pipelineDefaults, type PipelineDeps, type PipelineSettings } from './pipeline.ts';
export { forgetfulRunRecorder, formulaEtaBook, type RunRecorder, type EtaBook } from './runRecords.ts';
export { classifyError, failureFor, JobCancelledError, JobHandedBackError, NoInstanceError } from './failures.ts';
