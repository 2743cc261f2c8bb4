/**
 * Every custom id the bot puts on a button or a modal, in one place (STYLE habit 13):
 * what is written here is parsed here, by the bot process that started an hour or a
 * month after the message was posted. An id carries only a reference (a job id, or
 * the key of a short-lived form in Redis); everything else is read from Redis on
 * every click, so nothing depends on the memory of the process that posted it.
 *
 *   i2v:edit:<jobId>          ✏️ button under a result → the edit modal
 *   i2v:info:<jobId>          📋 button under a result → private details
 *   i2v:extend:<jobId>        ⏩ button under a result → the extend modal
 *   i2v:edit-form:<jobId>     the edit modal's submit
 *   i2v:extend-form:<jobId>   the extend modal's submit
 *   i2v:animate-form:<ref>    the Animate modal's submit (ref → the source image, 15 min)
 *
 * Discord allows 100 characters; job ids are 10 and refs are 10.
 */

const NAMESPACE = 'i2v';

export const RESULT_BUTTONS = ['edit', 'info', 'extend'] as const;
export type ResultButton = (typeof RESULT_BUTTONS)[number];

export const FORMS = ['edit-form', 'extend-form', 'animate-form'] as const;
export type Form = (typeof FORMS)[number];

/** The text inputs (and the select) of our modals: their custom ids are the field names. */
export const FIELDS = { prompt: 'prompt', negative: 'negative', frames: 'frames', seed: 'seed', preset: 'preset' } as const;
export type Field = (typeof FIELDS)[keyof typeof FIELDS];

export type ParsedCustomId = { kind: 'button'; button: ResultButton; jobId: string } | { kind: 'form'; form: Form; ref: string };

const REF = /^[a-z0-9]{1,40}$/;

export function resultButtonId(button: ResultButton, jobId: string): string {
  return `${NAMESPACE}:${button}:${jobId}`;
}

export function formId(form: Form, ref: string): string {
  return `${NAMESPACE}:${form}:${ref}`;
}

/** Pure: what a custom id means, or undefined for anything we did not write. */
export function parseCustomId(customId: string): ParsedCustomId | undefined {
  const [namespace, action, ref, ...rest] = customId.split(':');
  if (namespace !== NAMESPACE || !action || !ref || rest.length > 0 || !REF.test(ref)) return undefined;
  if ((RESULT_BUTTONS as readonly string[]).includes(action)) return { kind: 'button', button: action as ResultButton, jobId: ref };
  if ((FORMS as readonly string[]).includes(action)) return { kind: 'form', form: action as Form, ref };
  return undefined;
}
