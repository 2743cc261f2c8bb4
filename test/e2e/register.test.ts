import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord/index.ts';

const run = promisify(execFile);

let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(async () => {
  await fake?.close();
});

describe('npm run register', () => {
  it('overwrites the server’s commands with /i2v (preset choices from presets/), /jobs, /queue, /comfy and Apps → Animate, and says so', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'register'], {
      env: {
        ...process.env,
        DISCORD_TOKEN: fake.token,
        DISCORD_APP_ID: fake.applicationId,
        DISCORD_GUILD_ID: fake.guildId,
        DISCORD_API_BASE: fake.apiBase,
      },
    });
    expect(stdout).toMatch(/Registered 5 commands in server/);
    expect(stdout).toMatch(/Apps → Animate \(\d+\)/);
    const registered = fake.commands('guild');
    expect(registered.map((c) => c.name)).toEqual(['i2v', 'jobs', 'queue', 'comfy', 'Animate']);
    expect(registered.find((c) => c.name === 'Animate')?.type).toBe(3);
    const preset = (registered[0]!['options'] as { name: string; choices?: { value: string }[] }[]).find((o) => o.name === 'preset');
    expect(preset?.choices?.map((c) => c.value)).toEqual(['fast', 'quality', 'maximum']);
    expect(registered.find((c) => c.name === 'queue')!['default_member_permissions']).toBe('32');
  });
});
