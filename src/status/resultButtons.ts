import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId } from 'discord.js';
import type { JobData } from '../queue/schemas.ts';
import { resultButtonId, type ResultButton } from './customIds.ts';

/**
 * The buttons under a delivered video. Their ids carry only the job id (customIds.ts),
 * so they work in any bot process for as long as the result record lives in Redis.
 */

export type ResultComponents = APIActionRowComponent<APIButtonComponentWithCustomId>[];

const labels: Record<ResultButton, { emoji: string; label: string }> = {
  edit: { emoji: '✏️', label: 'Edit' },
  info: { emoji: '📋', label: 'Info' },
  extend: { emoji: '⏩', label: 'Extend' },
};

/** Pure. An upscale has nothing to edit or extend (those act on the original), so it gets Info only. */
export function resultComponents(jobId: string, data: Pick<JobData, 'kind'>): ResultComponents {
  const buttons: ResultButton[] = data.kind === 'upscale' ? ['info'] : ['edit', 'info', 'extend'];
  return [
    {
      type: ComponentType.ActionRow,
      components: buttons.map((button) => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        custom_id: resultButtonId(button, jobId),
        label: labels[button].label,
        emoji: { name: labels[button].emoji },
      })),
    },
  ];
}
