import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { countDiscordResponse, discordRouteKind, observeDiscordRest, registry } from '../../src/ops/metrics.ts';
import { startOps, type Ops } from '../../src/ops/startOps.ts';
import type { FakeMessage } from '../support/fake-discord/index.ts';
import { testImage } from '../support/jobs.ts';
import { openWorld, type World } from '../support/world.ts';

let world: World;
let ops: Ops;
beforeAll(async () => {
  world = await openWorld({
    discord: true,
    bot: true,
    simulators: { knobs: { secondsPerStep: 0.02 } },
    worker: { reports: 'rest' },
    tuning: { pipeline: { progressIntervalMs: 100, previewIntervalMs: 200, pollIntervalMs: 200 } },
  });
  ops = await startOps({ config: world.config, logger: silentLogger, port: 0 });
  observeDiscordRest(world.bot.rest);
  ops.attach({ queue: world.bot.context.queue, gateway: world.bot.client, worker: world.worker });
});
afterAll(async () => {
  await ops?.close();
  await world?.close();
});

const sample = async (name: string, labels: Record<string, string>) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value)).reduce((sum, v) => sum + v.value, 0) ?? 0;
};

it("a bot's /readyz needs the gateway and Redis; an /i2v's status edits are counted per route", async () => {
  const ready = await fetch(`${ops.server?.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ ok: true, checks: [{ name: 'redis', ok: true }, { name: 'discord_gateway', ok: true }, { name: 'comfyui', ok: true }] });

  const hasVideo = (m: FakeMessage | undefined) => (m?.attachments ?? []).some((a) => a.filename.endsWith('.mp4'));
  const handle = world.fake.invokeCommand({ name: 'i2v', options: { prompt: 'a fox jumps', preset: 'fast' }, attachment: { filename: 'fox.png', data: await testImage() } });
  await handle.waitForResponse(hasVideo, { timeoutMs: 30_000 });
  expect(await sample('oelala_discord_edits_total', { route: 'interaction', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(await sample('oelala_discord_edits_total', { route: 'channel', status: '200' })).toBeGreaterThanOrEqual(1);
  expect(await sample('oelala_discord_429_total', {})).toBe(0);

  world.bot.client.destroy();
  const down = await fetch(`${ops.server?.url}/readyz`);
  expect(down.status).toBe(503);
  expect(await down.json()).toMatchObject({ checks: [{ name: 'redis', ok: true }, { name: 'discord_gateway', ok: false }, { name: 'comfyui', ok: true }] });
});

it('a 429 on an edit is counted by route; other requests are not edits', async () => {
  expect(discordRouteKind('PATCH', '/channels/1/messages/2')).toBe('channel');
  expect(discordRouteKind('PATCH', '/webhooks/1/tok.en/messages/@original')).toBe('interaction');
  expect(discordRouteKind('POST', '/channels/1/messages')).toBe('other');
  const before = await sample('oelala_discord_429_total', { route: 'channel' });
  countDiscordResponse('PATCH', '/channels/1/messages/2', 429);
  expect(await sample('oelala_discord_429_total', { route: 'channel' })).toBe(before + 1);
  expect(await sample('oelala_discord_edits_total', { route: 'channel', status: '429' })).toBe(1);
});
