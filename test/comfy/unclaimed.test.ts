import { describe, expect, it } from 'vitest';
import { createUnclaimed } from '../../src/comfy/unclaimed.ts';

describe('messages for prompts nobody follows yet', () => {
  it('are handed, in order, to the first follower only', () => {
    const unclaimed = createUnclaimed<string>();
    unclaimed.keep('p1', 'execution_start');
    unclaimed.keep('p1', 'executing 15');
    expect(unclaimed.claim('p1')).toEqual(['execution_start', 'executing 15']);
    expect(unclaimed.claim('p1')).toEqual([]);
  });

  it('are dropped after a while, and only so many prompts and messages are kept', () => {
    let now = 0;
    const unclaimed = createUnclaimed<number>({ prompts: 2, messages: 3, ageMs: 1000 }, () => now);
    for (let i = 0; i < 5; i++) unclaimed.keep('a', i);
    expect(unclaimed.claim('a')).toEqual([0, 1, 2]);
    unclaimed.keep('b', 1);
    unclaimed.keep('c', 1);
    unclaimed.keep('d', 1);
    expect(unclaimed.size).toBe(2);
    expect(unclaimed.claim('b')).toEqual([]);
    now = 5000;
    expect(unclaimed.claim('d')).toEqual([]);
  });
});
