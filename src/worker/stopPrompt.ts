import type { ComfyClient } from '../comfy/client.ts';
import type { Logger } from '../log.ts';

/**
 * Stop OUR prompt, never someone else's: delete it if it still waits in ComfyUI's
 * queue, interrupt it by its own id if it runs (old servers ignore the id and stop
 * whatever runs, so we only interrupt after seeing ours is the running one). A prompt
 * can move from pending to running between two calls, hence a few rounds.
 */
export async function stopPrompt(client: ComfyClient, promptId: string, logger: Logger): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    try {
      const queue = await client.getQueue();
      const pending = queue.pending.some((item) => item.promptId === promptId);
      const running = queue.running.some((item) => item.promptId === promptId);
      if (!pending && !running) return;
      if (pending) await client.deleteQueued([promptId]);
      if (running) await client.interrupt(promptId);
      logger.info({ promptId, pending, running }, pending ? 'deleted our prompt from ComfyUI queue' : 'interrupted our prompt');
    } catch (error) {
      logger.warn({ promptId, err: error }, 'could not stop prompt on ComfyUI');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
