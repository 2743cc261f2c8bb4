import { REST, Routes } from 'discord.js';
import { commandDefinitions } from '../../commands/index.ts';
import { loadPresets } from '../../src/workflow/loadPresets.ts';
import type { FakeDiscord } from './fake-discord/index.ts';

/** The part of the bot's environment that points it at a fake Discord instead of discord.com. */
export function discordEnvFor(fake: FakeDiscord): Record<string, string> {
  return {
    DISCORD_TOKEN: fake.token,
    DISCORD_APP_ID: fake.applicationId,
    DISCORD_GUILD_ID: fake.guildId,
    DISCORD_API_BASE: fake.apiBase,
    ATTACHMENT_HOSTS: new URL(fake.cdnBase).host,
  };
}

/** What `npm run register` does, done in-process: the guild's commands, with the preset choices of `presetDir`. */
export async function registerCommands(fake: FakeDiscord, presetDir = 'presets'): Promise<void> {
  const presets = await loadPresets(presetDir);
  await new REST({ api: fake.apiBase, version: '10' })
    .setToken(fake.token)
    .put(Routes.applicationGuildCommands(fake.applicationId, fake.guildId), { body: commandDefinitions(presets) });
}
