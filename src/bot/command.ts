import {
  ApplicationCommandOptionType as OptionType,
  ApplicationCommandType,
  type ApplicationIntegrationType,
  type Attachment,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type InteractionContextType,
  type MessageContextMenuCommandInteraction,
} from 'discord.js';
import type { BotContext } from './context.ts';

/**
 * A slash command: its definition as plain JSON (`as const`, so option types derive
 * from it) and its handler. The same `data` feeds registration, argument types and help.
 * Types, contexts and install kinds are discord-api-types' enums (re-exported by
 * discord.js), never bare numbers.
 */

export { OptionType };

export type OptionData = {
  readonly type: OptionType;
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly autocomplete?: boolean;
  readonly choices?: readonly { readonly name: string; readonly value: string | number }[];
  readonly min_value?: number;
  readonly max_value?: number;
  readonly max_length?: number;
  readonly options?: readonly OptionData[];
};

export type CommandData = {
  readonly name: string;
  readonly description: string;
  readonly options?: readonly OptionData[];
  readonly default_member_permissions?: string;
  readonly contexts?: readonly InteractionContextType[];
  readonly integration_types?: readonly ApplicationIntegrationType[];
};

export type Command = {
  readonly data: CommandData;
  /** The definition to register, when it depends on files read at start (the presets). */
  definition?(bot: Pick<BotContext, 'presets'>): CommandData;
  execute(interaction: ChatInputCommandInteraction, bot: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, bot: BotContext): Promise<void>;
};

/** A message command (Apps → name, on a message): no description, no options. */
export type MessageCommandData = {
  readonly type: ApplicationCommandType.Message;
  readonly name: string;
  readonly contexts?: readonly InteractionContextType[];
  readonly integration_types?: readonly ApplicationIntegrationType[];
};

export type MessageCommand = {
  readonly data: MessageCommandData;
  execute(interaction: MessageContextMenuCommandInteraction, bot: BotContext): Promise<void>;
};

/** Everything the bot answers and `npm run register` registers. */
export type BotCommand = Command | MessageCommand;

export function isMessageCommand(command: BotCommand): command is MessageCommand {
  return 'type' in command.data && command.data.type === ApplicationCommandType.Message;
}

type ValueOf<T extends OptionType> = T extends OptionType.String
  ? string
  : T extends OptionType.Integer | OptionType.Number
    ? number
    : T extends OptionType.Boolean
      ? boolean
      : T extends OptionType.Attachment
        ? Attachment
        : never;

/** `{ prompt: string | undefined, image: Attachment, … }` from an options array. */
export type OptionValues<O extends readonly OptionData[]> = {
  [K in O[number] as K['name']]: K extends { required: true } ? ValueOf<K['type']> : ValueOf<K['type']> | undefined;
};

/** An option (a subcommand, usually) found by its name, typed by the definition; never by position. */
export function optionNamed<const O extends readonly OptionData[], N extends O[number]['name']>(options: O, name: N): Extract<O[number], { name: N }> {
  const found = options.find((option) => option.name === name);
  if (!found) throw new Error(`No option called ${name}`);
  return found as Extract<O[number], { name: N }>;
}

/** Read the options `options` describes from an interaction, typed by the definition. */
export function readOptions<const O extends readonly OptionData[]>(interaction: ChatInputCommandInteraction, options: O): OptionValues<O> {
  const values: Record<string, unknown> = {};
  for (const option of options) {
    const { name } = option;
    switch (option.type) {
      case OptionType.String:
        values[name] = interaction.options.getString(name) ?? undefined;
        break;
      case OptionType.Integer:
        values[name] = interaction.options.getInteger(name) ?? undefined;
        break;
      case OptionType.Number:
        values[name] = interaction.options.getNumber(name) ?? undefined;
        break;
      case OptionType.Boolean:
        values[name] = interaction.options.getBoolean(name) ?? undefined;
        break;
      case OptionType.Attachment:
        values[name] = interaction.options.getAttachment(name) ?? undefined;
        break;
    }
  }
  return values as OptionValues<O>;
}
