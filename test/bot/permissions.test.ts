import { describe, expect, it } from 'vitest';
import { isAdmin, MANAGE_GUILD } from '../../src/bot/permissions.ts';
import { checkUserLimits } from '../../src/bot/limitRule.ts';

const policy = { adminRoleIds: ['200000000000000002'], adminUserIds: ['300000000000000003'] };
const member = { userId: '100000000000000001', roleIds: [], permissions: 0n };

describe('who is an admin', () => {
  it('a member with Manage Server is', () => expect(isAdmin({ ...member, permissions: MANAGE_GUILD }, policy)).toBe(true));
  it('a member with an admin role is', () => expect(isAdmin({ ...member, roleIds: ['200000000000000002'] }, policy)).toBe(true));
  it('a listed user is', () => expect(isAdmin({ ...member, userId: '300000000000000003' }, policy)).toBe(true));
  it('anyone else is not, whatever Discord let through', () => expect(isAdmin(member, policy)).toBe(false));
});

describe("a member's limits", () => {
  const base = { isAdmin: false, waitingJobs: 0, maxWaiting: 3, cooldownLeftMs: 0 };
  it('lets a member with room start a job', () => expect(checkUserLimits(base).ok).toBe(true));
  it('refuses a fourth waiting job and says what to do', () => {
    const result = checkUserLimits({ ...base, waitingJobs: 3 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('3 jobs waiting');
  });
  it('asks a member in cooldown to wait, in seconds', () => {
    const result = checkUserLimits({ ...base, cooldownLeftMs: 4200 });
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.message).toContain('5 more seconds');
  });
  it('exempts admins', () => expect(checkUserLimits({ ...base, isAdmin: true, waitingJobs: 50 }).ok).toBe(true));
});
