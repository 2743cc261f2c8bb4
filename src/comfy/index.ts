/** The ComfyUI client: HTTP (undici), WebSocket (ws), typed messages and errors with context. */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { createComfyClient, type ComfyClientOptions } from './client.ts';
import type { ComfyConnection } from './follow.ts';
import { createComfySocket, type ComfySocketOptions } from './socket.ts';

export { createComfyClient } from './client.ts';
export type { ComfyClient, ComfyClientOptions, SubmitRequest, UploadRequest, ViewFile, ViewResult } from './client.ts';
export { createComfySocket, backoffDelay, defaultBackoff } from './socket.ts';
export type { ComfySocket, ComfySocketOptions, SocketState, BackoffOptions, MessageListener } from './socket.ts';
export { followPrompt } from './follow.ts';
export type { ComfyConnection, FollowOptions } from './follow.ts';
export { describeFailure, describeInterrupt, classifyFailure } from './failure.ts';
export { parseValidationBody, missingNodeMessage } from './validation.ts';
export { diskFoldersOf, nodePacksFor, modelFolderFor } from './nodePacks.ts';
export { closestNames, findListed, quantisationOf } from './modelNames.ts';
export { gpusOf, type Gpu, previewSettingOf, type PreviewSetting } from './systemFacts.ts';
export { parseTextMessage, decodeBinaryFrame } from './messages.ts';
export type { ComfyMessage } from './messages.ts';
export { terminalFromHistory } from './historyOutcome.ts';
export { nodeTitle, withTitles } from './graph.ts';
export type { ApiGraph, ApiNode } from './graph.ts';
export type { HistoryEntry, QueueItem, QueueState, SystemStats, ServerFeatures, ObjectInfo } from './schemas.ts';
export * from './errors.ts';
export * from './events.ts';

export type ConnectOptions = {
  baseUrl: string;
  logger?: Logger;
  /** Default: a fresh id per connection, shared by the client (prompts) and the socket (events). */
  clientId?: string;
  timeoutMs?: ComfyClientOptions['timeoutMs'];
  dispatcher?: ComfyClientOptions['dispatcher'];
  backoff?: ComfySocketOptions['backoff'];
  featureFlags?: ComfySocketOptions['featureFlags'];
};

/** A client and a socket sharing one clientId: what a worker slot needs per ComfyUI instance. */
export function connectComfy(options: ConnectOptions): ComfyConnection & { close(): Promise<void> } {
  const clientId = options.clientId ?? `oelala-${randomUUID()}`;
  const client = createComfyClient({ ...options, clientId });
  const socket = createComfySocket({ baseUrl: options.baseUrl, clientId, logger: options.logger, backoff: options.backoff, featureFlags: options.featureFlags });
  return { client, socket, close: () => socket.close() };
}
