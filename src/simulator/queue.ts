import type { JsonObject, QueueItem } from './types.ts';

/**
 * ComfyUI's PromptQueue: a binary min-heap on `number` (the raw heap array is what
 * /queue lists as pending, unsorted), at most one running item, and the history dict.
 */
export type HistoryEntry = {
  prompt: [number, string, unknown, JsonObject, string[]];
  outputs: Record<string, unknown>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, JsonObject]> };
  meta: Record<string, JsonObject>;
};

export const maxHistory = 10_000;

export class PromptHeap {
  readonly items: QueueItem[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: QueueItem): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): QueueItem | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  /** Remove the first item matching; true when one was removed. */
  remove(match: (item: QueueItem) => boolean): boolean {
    const index = this.items.findIndex(match);
    if (index < 0) return false;
    this.items.splice(index, 1);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
    return true;
  }

  clear(): void {
    this.items.length = 0;
  }

  private siftDown(start: number): void {
    const a = this.items;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < a.length && this.less(l, min)) min = l;
      if (r < a.length && this.less(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  // Python compares the tuples: number first, then prompt_id breaks ties.
  private less(i: number, j: number): boolean {
    const a = this.items[i] as QueueItem;
    const b = this.items[j] as QueueItem;
    return a.number !== b.number ? a.number < b.number : a.promptId < b.promptId;
  }

  private swap(i: number, j: number): void {
    const a = this.items;
    [a[i], a[j]] = [a[j] as QueueItem, a[i] as QueueItem];
  }
}

export const wireItem = (item: QueueItem): HistoryEntry['prompt'] => [item.number, item.promptId, item.prompt, item.extraData, item.outputs];

/** GET /history?max_items&offset: the last N by default, oldest first. */
export function sliceHistory(history: Map<string, HistoryEntry>, maxItems: number | undefined, offset: number | undefined): Record<string, HistoryEntry> {
  let start = offset ?? -1;
  if (start < 0 && maxItems !== undefined) start = history.size - maxItems;
  const out: Record<string, HistoryEntry> = {};
  let i = 0;
  for (const [id, entry] of history) {
    if (i >= start) {
      out[id] = entry;
      if (maxItems !== undefined && Object.keys(out).length >= maxItems) break;
    }
    i++;
  }
  return out;
}
