import { randomInt } from 'node:crypto';

// No 0/o, 1/l/i: members read these ids aloud and type them into /jobs.
const letters = 'abcdefghjkmnpqrstuvwxyz';
const alphabet = `${letters}23456789`;

/**
 * A short, URL-safe job id without ':' (BullMQ builds keys from it). It starts with
 * a letter because BullMQ refuses custom ids that look like integers. 10 characters
 * of a 31-letter alphabet: ~8×10^14 ids, collisions are not a practical concern.
 */
export function createJobId(length = 10): string {
  let id = letters[randomInt(letters.length)] ?? 'a';
  while (id.length < length) id += alphabet[randomInt(alphabet.length)] ?? 'a';
  return id;
}

/** Pure: does `value` look like one of our job ids (for parsing member input)? */
export function isJobId(value: string): boolean {
  return /^[a-z][a-z0-9]{5,31}$/.test(value);
}
