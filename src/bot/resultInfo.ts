import type { StoredResult } from '../queue/index.ts';
import type { ResolvedParams } from '../workflow/resolveJobParams.ts';
import { formatBytes } from '../media/refusals.ts';
import { formatDuration } from '../status/format.ts';

/**
 * 📋: everything that made a video, for the member's eyes only, and the `/i2v` line that
 * makes it again. Pure; `params` are the bound values (steps, CFG, sampler) resolved at
 * acceptance, and the result names the model files the instance loaded.
 */

const MAX_PROMPT_SHOWN = 500;
const shown = (text: string) => {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_PROMPT_SHOWN ? `${oneLine.slice(0, MAX_PROMPT_SHOWN - 1)}…` : oneLine;
};
/** Inside a code block nothing is markdown; only a run of backticks could end it early. */
const inCode = (text: string) => text.replace(/`/g, 'ˋ');

/** The slash command with every option that matters, as a member would type it. */
export function i2vCommandLine(record: StoredResult): string {
  const { options } = record.data;
  const parts = ['/i2v'];
  const add = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined && value !== '') parts.push(`${name}:${value}`);
  };
  add('prompt', options.prompt.replace(/\s+/g, ' ').trim());
  add('negative', options.negative?.replace(/\s+/g, ' ').trim());
  add('preset', options.preset);
  add('frames', options.frames ?? (record.data.extend ? undefined : record.result.frames));
  add('resolution', options.resolution);
  add('fps', options.fps);
  if (options.aspect !== 'auto') add('aspect', options.aspect);
  add('steps', options.steps);
  add('cfg', options.cfg);
  add('seed', record.result.seed);
  add('lora_high', options.loraHigh?.name);
  add('lora_low', options.loraLow?.name);
  add('lora_strength', options.loraHigh?.strength ?? options.loraLow?.strength);
  if (options.spoiler) add('spoiler', true);
  return parts.join(' ');
}

export type InfoView = { content: string; /** The /i2v line as a file, when the message cannot hold it (very long prompts). */ commandFile?: string };

const LIMIT = 2000;

export function renderInfo(record: StoredResult, params: ResolvedParams | undefined): InfoView {
  const { data, result, jobId } = record;
  const { options } = data;
  const head = [`📋 **How this video was made** · ref \`${jobId}\``];
  const words: string[] = [];
  if (options.prompt.trim()) words.push(`**Prompt:** ${inCode(shown(options.prompt))}`);
  words.push(`**Negative:** ${options.negative ? inCode(shown(options.negative)) : 'the preset’s default'}`);
  const facts: string[] = [];
  const settings = [`preset \`${options.preset}\``, `seed \`${result.seed}\``];
  if (params) settings.push(`${params.steps} steps (high-noise ${params.splitStep}, low-noise ${params.steps - params.splitStep})`, `CFG ${params.cfg}`, `shift ${params.shift}`, `${params.sampler}/${params.scheduler}`);
  facts.push(`**Settings:** ${settings.join(' · ')}`);
  if (options.loraHigh || options.loraLow) {
    facts.push(`**LoRAs:** ${[options.loraHigh && `high \`${options.loraHigh.name}\` × ${options.loraHigh.strength}`, options.loraLow && `low \`${options.loraLow.name}\` × ${options.loraLow.strength}`].filter(Boolean).join(' · ')}`);
  }
  // The files the instance actually loaded (resolved there from the preset's acceptable names).
  const models = result.models;
  if (models) facts.push(`**Models:** \`${models.highModel}\`, \`${models.lowModel}\`, \`${models.textEncoder}\`, \`${models.vae}\``);
  facts.push(
    `**Video:** ${result.width}×${result.height} · ${result.frames} frames at ${result.fps} fps (${result.durationSeconds.toFixed(1)} s) · ${formatBytes(result.bytes)}${result.reencoded ? ' (re-encoded to fit)' : ''}`,
  );
  facts.push(`**Start image:** ${data.input.width}×${data.input.height}${data.extend ? ` (the last frame of \`${data.extend.jobId}\`, extension ${data.extend.depth})` : ''}`);
  facts.push(`**GPU:** ${formatDuration(result.gpuSeconds * 1000)} on \`${result.instance}\` · prompt \`${result.promptId}\``);
  const command = inCode(i2vCommandLine(record));
  const block = ['**Make it again:**', '```', command, '```'];
  // Discord's 2000 characters: the prompt is in the command line anyway, so it goes first; a
  // command line too long for any message is attached as a file.
  for (const candidate of [[...head, ...words, ...facts, ...block], [...head, ...facts, ...block]]) {
    const content = candidate.join('\n');
    if (content.length <= LIMIT) return { content };
  }
  return { content: [...head, ...facts, '**Make it again:** the `/i2v` line is attached (the prompt is long).'].join('\n'), commandFile: command };
}
