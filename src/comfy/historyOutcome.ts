import type { NodeOutput, TerminalPromptEvent } from './events.ts';
import { parseTextMessage } from './messages.ts';
import type { HistoryEntry } from './schemas.ts';

/**
 * Pure: how a finished prompt ended, read from its history entry (used when the socket missed
 * the end, and on old servers that never send execution_success). `undefined` when the entry
 * does not say it ended.
 */
export function terminalFromHistory(
  entry: HistoryEntry,
  collected: Record<string, NodeOutput> = {},
  successAt?: number,
  /** When we read the entry: the time of an ending the entry does not date. */
  now: number = Date.now(),
): TerminalPromptEvent | undefined {
  const outputs = { ...collected, ...entry.outputs };
  const status = entry.status;
  // Entries from servers before 2024-01 carry no status: they are written only on success.
  if (!status) return { type: 'succeeded', outputs, at: successAt ?? now };
  for (let index = status.messages.length - 1; index >= 0; index -= 1) {
    const raw = status.messages[index];
    if (!raw) continue;
    const message = parseTextMessage(JSON.stringify({ type: raw.type, data: raw.data }));
    if (message?.type === 'execution_error') {
      const { nodeId, nodeType, exceptionType, exceptionMessage } = message;
      return { type: 'failed', failure: { nodeId, nodeType, exceptionType, exceptionMessage }, at: message.timestamp ?? now };
    }
    if (message?.type === 'execution_interrupted') return { type: 'interrupted', node: message.nodeId, at: message.timestamp ?? now };
    if (message?.type === 'execution_success') return { type: 'succeeded', outputs, at: message.timestamp ?? successAt ?? now };
  }
  if (status.statusStr === 'success' || (status.completed && status.statusStr !== 'error')) {
    return { type: 'succeeded', outputs, at: successAt ?? now };
  }
  if (status.statusStr === 'error') {
    return {
      type: 'failed',
      failure: { nodeId: undefined, nodeType: undefined, exceptionType: 'UnknownError', exceptionMessage: 'ComfyUI recorded an error without details' },
      at: now,
    };
  }
  return undefined;
}
