import { createHook, type AsyncHook } from 'node:async_hooks';

/**
 * What a world must not leave behind: sockets (Redis connections, the bot's gateway, HTTP
 * keep-alives), servers (simulators, the fake Discord) and child processes. Node's
 * async_hooks tell when each such handle is made and closed, so a check sees exactly the
 * handles made since a snapshot, whatever was still closing before it.
 */

const WATCHED: Record<string, string> = {
  TCPWRAP: 'socket (a Redis connection, a worker, a bot, an HTTP client)',
  TCPSERVERWRAP: 'server (a simulator, a fake Discord)',
  PROCESSWRAP: 'child process',
};

const live = new Map<number, string>();
let hook: AsyncHook | undefined;

/** The handles open now (watched from the first call on). */
export function openHandles(): ReadonlySet<number> {
  hook ??= createHook({
    init(asyncId, type) {
      if (type in WATCHED) live.set(asyncId, type);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return new Set(live.keys());
}

/** Resolves once every handle made since `before` is closed; closing takes a moment, so it waits up to `settleMs`, then throws naming what is left. */
export async function checkNoLeaks(before: ReadonlySet<number>, settleMs = 3000): Promise<void> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const counts = new Map<string, number>();
    for (const [id, type] of live) if (!before.has(id)) counts.set(type, (counts.get(type) ?? 0) + 1);
    if (counts.size === 0) return;
    if (Date.now() >= deadline) {
      const left = [...counts].map(([type, count]) => `${count} ${WATCHED[type]}`);
      throw new Error(`the world closed but left open: ${left.join(', ')}. Close what the test opened (worker.close(), redis.quit(), sim.close()) before world.close().`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
