import { ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import { OptionType, type Command, type CommandData } from '../src/bot/command.ts';
import { renderComfyStatus } from '../src/bot/comfyAdmin.ts';
import { MANAGE_SERVER_PERMISSION, requireAdmin } from '../src/bot/permissions.ts';

export const data = {
  name: 'comfy',
  description: 'The ComfyUI instances behind the bot (admins)',
  default_member_permissions: MANAGE_SERVER_PERMISSION,
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    { type: OptionType.Subcommand, name: 'status', description: 'Reachable? Version, GPUs and free VRAM, queue, which presets each can run' },
    { type: OptionType.Subcommand, name: 'free', description: 'Unload models and free VRAM on every instance' },
  ],
} as const satisfies CommandData;

export default {
  data,
  async execute(interaction, bot) {
    requireAdmin(interaction, bot.config);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const signal = AbortSignal.timeout(10_000);
    let content: string;
    if (interaction.options.getSubcommand() === 'free') {
      const results = await bot.comfy.free(signal);
      content = results.map((r) => (r.ok ? `🧹 ${r.url}: models unloaded, memory freed` : `🔴 ${r.url}: ${r.error}`)).join('\n') || 'No ComfyUI configured.';
    } else {
      content = renderComfyStatus(await bot.comfy.status(signal));
    }
    await interaction.editReply({ content: content.slice(0, 2000), allowedMentions: { parse: [] } });
  },
} satisfies Command;
