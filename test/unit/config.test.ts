import { describe, expect, it } from 'vitest';
import { missingForRole, parseConfig } from '../../src/config.ts';

describe('config', () => {
  it('GIVEN an empty environment THEN every default is sensible', () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(result.config.COMFYUI_URL).toEqual(['http://127.0.0.1:8188']);
    expect(result.config.ATTACHMENT_HOSTS).toEqual(['cdn.discordapp.com', 'media.discordapp.net']);
    expect(result.config.MAX_WAITING_PER_USER).toBe(3);
  });

  it('GIVEN several ComfyUI URLs THEN they become a list', () => {
    const result = parseConfig({ COMFYUI_URL: 'http://a:8188, http://b:8188' });
    expect(result.ok && result.config.COMFYUI_URL).toEqual(['http://a:8188', 'http://b:8188']);
  });

  it('GIVEN several bad values THEN every problem is listed with a hint', () => {
    const result = parseConfig({ REDIS_URL: 'localhost', COMFYUI_URL: 'ftp://x', ADMIN_USER_IDS: 'bob', LOG_LEVEL: 'loud' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    expect(text).toMatch(/REDIS_URL/);
    expect(text).toMatch(/COMFYUI_URL/);
    expect(text).toMatch(/ADMIN_USER_IDS/);
    expect(text).toMatch(/LOG_LEVEL/);
  });

  it('GIVEN no Discord token THEN the bot role names what is missing and the worker role does not care', () => {
    const result = parseConfig({});
    if (!result.ok) throw new Error('unexpected');
    expect(missingForRole(result.config, 'bot').join('\n')).toMatch(/DISCORD_TOKEN.*DISCORD_APP_ID/s);
    expect(missingForRole(result.config, 'worker')).toEqual([]);
  });
});
