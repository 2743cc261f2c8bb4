import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/media/index.ts';

describe('formatBytes: one way to say a size, in the units Discord shows', () => {
  it('GIVEN 900 KiB THEN "900 KB"', () => expect(formatBytes(900 * 1024)).toBe('900 KB'));
  it('GIVEN 9.6 MiB THEN "9.6 MB"', () => expect(formatBytes(9.6 * 1024 * 1024)).toBe('9.6 MB'));
  it('GIVEN 25 MiB THEN "25 MB"', () => expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB'));
  it('GIVEN 250.4 MiB THEN "250 MB"', () => expect(formatBytes(250.4 * 1024 * 1024)).toBe('250 MB'));
  it('GIVEN 1 GiB THEN "1 GB", not "1024 MB"', () => expect(formatBytes(1024 ** 3)).toBe('1 GB'));
  it('GIVEN 1.5 GiB THEN "1.5 GB"', () => expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB'));
});
