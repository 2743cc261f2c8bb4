/** The input image and the output video: what the bot and the worker import. */
export { downloadAttachment, MAX_REDIRECTS, type DownloadOptions } from './downloadAttachment.ts';
export { checkAttachmentUrl, isHostAllowed, isLoopback } from './attachmentHosts.ts';
export { inspectImage, readImageHeader, IMAGE_FORMATS, type ImageFormat, type ImageInfo, type InspectOptions } from './inspectImage.ts';
export { checkImageShape, IMAGE_LIMITS, type ImageLimits, type ImageShape } from './imageLimits.ts';
export { normalizeImage, NORMALIZE_DEFAULTS, type NormalizeOptions, type NormalizedImage } from './normalizeImage.ts';
export { prepareImage, type PrepareOptions } from './prepareImage.ts';
export { saveJobImage } from './saveJobImage.ts';
export { probeVideo, type ProbeOptions, type VideoInfo } from './probeVideo.ts';
export { fitVideo, playsEverywhere, FIT_DEFAULTS, type FitAttempt, type FitOptions, type FitResult } from './fitVideo.ts';
export { planFitLadder, type FitRung } from './fitLadder.ts';
export { extractFrame, type ExtractFrameOptions } from './extractFrame.ts';
export { runTool, ffprobeBeside, MediaToolError, type RunToolOptions, type ToolRun } from './runTool.ts';
export { MEDIA_CODES, formatBytes } from './refusals.ts';
export { extractLastFrame, joinClips, type ClipToolOptions } from './joinClips.ts';
