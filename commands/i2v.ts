import { ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import { ASPECTS, OPTION_LIMITS } from '../src/workflow/jobOptions.ts';
import { listPresets } from '../src/workflow/loadPresets.ts';
import { type Presets, RESOLUTION_LIMITS } from '../src/workflow/presetSchema.ts';
import { acceptI2v } from '../src/bot/acceptI2v.ts';
import { checkI2vRequest } from '../src/bot/checkI2vRequest.ts';
import { OptionType, readOptions, type Command, type CommandData } from '../src/bot/command.ts';
import { loraChoices } from '../src/bot/loraChoices.ts';
import { checkMemberLimits, within } from '../src/bot/memberLimits.ts';
import { checkChannel, checkPromptTerms } from '../src/bot/memberPolicy.ts';
import { isAdminInteraction } from '../src/bot/permissions.ts';

/** /i2v: a still image in, a short video out. Preset choices come from presets/ at registration. */
export const data = {
  name: 'i2v',
  description: 'Turn a still image into a short video',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    { type: OptionType.Attachment, name: 'image', description: 'The first frame of the video (PNG, JPEG or WebP)', required: true },
    { type: OptionType.String, name: 'prompt', description: 'What should happen in the video', max_length: OPTION_LIMITS.promptLength },
    { type: OptionType.String, name: 'negative', description: 'What to avoid (the preset has a sensible default)', max_length: OPTION_LIMITS.promptLength },
    { type: OptionType.String, name: 'preset', description: 'Speed versus quality' },
    { type: OptionType.Integer, name: 'frames', description: 'Length in frames, 4k+1 (e.g. 25, 49, 81); 16 frames ≈ 1 s', min_value: 1, max_value: 1001 },
    { type: OptionType.Integer, name: 'resolution', description: 'Size: the side of a square pixel budget (480 → at most 480×480)', min_value: RESOLUTION_LIMITS.min, max_value: RESOLUTION_LIMITS.max },
    { type: OptionType.Integer, name: 'fps', description: 'Playback frames per second (the preset sets the default and range)', min_value: 1, max_value: 60 },
    { type: OptionType.String, name: 'aspect', description: 'Shape of the video (auto follows the image)', choices: ASPECTS.map((a) => ({ name: a, value: a })) },
    { type: OptionType.Integer, name: 'steps', description: 'Sampling steps (the preset sets the default and range)', min_value: 1, max_value: 200 },
    { type: OptionType.Number, name: 'cfg', description: 'How closely to follow the prompt (the preset sets the range)', min_value: 0, max_value: 100 },
    { type: OptionType.Integer, name: 'seed', description: 'Repeat a result exactly (random when empty)', min_value: OPTION_LIMITS.seed.min, max_value: OPTION_LIMITS.seed.max },
    { type: OptionType.String, name: 'lora_high', description: 'LoRA for the high-noise pass (motion, composition)', autocomplete: true },
    { type: OptionType.String, name: 'lora_low', description: 'LoRA for the low-noise pass (detail, style)', autocomplete: true },
    { type: OptionType.Number, name: 'lora_strength', description: 'Strength of the LoRAs', min_value: OPTION_LIMITS.loraStrength.min, max_value: OPTION_LIMITS.loraStrength.max },
    { type: OptionType.Boolean, name: 'spoiler', description: 'Post the video behind a spoiler (blurred until clicked)' },
  ],
} as const satisfies CommandData;

const cut = (text: string, max = 100) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The definition with the presets' choices and the default preset's ranges in the descriptions. */
export function definition({ presets }: { presets: Presets }): CommandData {
  const list = listPresets(presets);
  const first = list[0];
  return {
    ...data,
    options: data.options.map((option) => {
      if (option.name === 'preset') {
        return {
          ...option,
          description: cut(`Speed versus quality (default ${first?.label ?? 'the first'})`),
          choices: list.map((p) => ({ name: cut(`${p.label} — ${p.description}`), value: p.name })),
        };
      }
      if (option.name === 'resolution' && first) {
        // The owner's tested sizes, within what every preset allows.
        const lowest = Math.max(...list.map((p) => p.ranges.resolution.min));
        const highest = Math.min(...list.map((p) => p.ranges.resolution.max));
        const sizes = [256, 320, 384, 480, 576, 640, 720].filter((side) => side >= lowest && side <= highest);
        return { ...option, description: cut(`Size: side of a square pixel budget (default ${first.defaults.resolution} → ${first.defaults.resolution}×${first.defaults.resolution})`), choices: sizes.map((side) => ({ name: `${side} (≤ ${side}×${side})`, value: side })) };
      }
      if (option.name === 'fps' && first) {
        const { min, max } = first.ranges.fps;
        return { ...option, description: cut(`Playback frames per second (${first.label}: ${min}–${max}, default ${first.defaults.fps})`) };
      }
      if (option.name === 'frames' && first) {
        const { min, max } = first.ranges.frames;
        return { ...option, description: cut(`Length in frames, 4k+1 (${first.label}: ${min}–${max}, default ${first.defaults.frames}); 16 ≈ 1 s`) };
      }
      return option;
    }),
  };
}

export default {
  data,
  definition,
  async execute(interaction, bot) {
    const raw = readOptions(interaction, data.options);
    const image = raw.image;
    const admin = isAdminInteraction(interaction, bot.config);
    // Instant checks first: a refusal is a private reply and nothing public is left.
    const policy = [checkChannel(interaction.channelId, bot.config.ALLOWED_CHANNEL_IDS), checkPromptTerms([raw.prompt, raw.negative], bot.config.BLOCKED_TERMS)].find((check) => !check.ok);
    if (policy && !policy.ok) throw policy.error;
    const checked = checkI2vRequest(
      { contentType: image.contentType, size: image.size, width: image.width, height: image.height, filename: image.name },
      raw,
      bot.presets,
      { maxInputBytes: bot.config.MAX_INPUT_BYTES, maxInputPixels: bot.config.MAX_INPUT_PIXELS, loraKnown: (name) => bot.loras.has(name) },
    );
    if (!checked.ok) throw checked.error;
    // The limits live in Redis; a local round trip is far inside the budget, but never let it hold the deferral.
    const limits = checkMemberLimits(bot.queue, interaction.user.id, admin, {
      maxWaiting: bot.config.MAX_WAITING_PER_USER,
      cooldownSeconds: bot.config.USER_COOLDOWN_SECONDS,
    });
    const early = await within(limits, 250);
    if (early && !early.ok) {
      await interaction.reply({ content: early.error.message, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.deferReply();
    const late = early ?? (await limits);
    if (!late.ok) throw late.error;
    await acceptI2v(interaction, bot, checked.value, image);
  },
  async autocomplete(interaction, bot) {
    const focused = interaction.options.getFocused(true);
    if (focused.name !== 'lora_high' && focused.name !== 'lora_low') return interaction.respond([]);
    const names = (await within(bot.loras.refresh(), 2000)) ?? bot.loras.names() ?? [];
    await interaction.respond(loraChoices(names, focused.name, String(focused.value)));
  },
} satisfies Command;
