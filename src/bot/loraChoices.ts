/**
 * LoRA choices for /i2v's autocomplete. Wan2.2 uses one LoRA per expert, so the list is
 * grouped high-noise / low-noise / general by folder or file name, and the option being
 * typed puts its own group first. Pure; the grouping itself is the workflow module's.
 */

import { expertOf, type LoraGroups } from '../workflow/groupLoras.ts';

type LoraGroup = keyof LoraGroups;

const groupLabel: Record<LoraGroup, string> = { high: 'High-noise', low: 'Low-noise', general: 'General' };

const groupOrder: Record<'lora_high' | 'lora_low', readonly LoraGroup[]> = {
  lora_high: ['high', 'general', 'low'],
  lora_low: ['low', 'general', 'high'],
};

export const MAX_CHOICES = 25;

/** Discord limits a choice's name and value to 100 characters. */
function choiceName(group: LoraGroup, name: string): string {
  const label = `${groupLabel[group]} · ${name}`;
  return label.length <= 100 ? label : `${label.slice(0, 99)}…`;
}

export function loraChoices(all: readonly string[], option: 'lora_high' | 'lora_low', typed: string): { name: string; value: string }[] {
  const needle = typed.trim().toLowerCase();
  const matching = all.filter((name) => name.length <= 100 && name.toLowerCase().includes(needle));
  const choices: { name: string; value: string }[] = [];
  for (const group of groupOrder[option]) {
    for (const name of matching.filter((n) => expertOf(n) === group).sort((a, b) => a.localeCompare(b))) {
      if (choices.length >= MAX_CHOICES) return choices;
      choices.push({ name: choiceName(group, name), value: name });
    }
  }
  return choices;
}
