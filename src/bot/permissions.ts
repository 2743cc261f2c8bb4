/**
 * Who counts as an admin of the bot. Discord's `default_member_permissions` only hides a
 * command; a server can override it per role or channel, so every admin action checks
 * again at run time with this function.
 */

/** Manage Server (Discord calls it MANAGE_GUILD), bit 5. */
export const MANAGE_GUILD = 1n << 5n;
/** Administrator, bit 3: implies every permission. */
export const ADMINISTRATOR = 1n << 3n;

export type Member = {
  userId: string;
  roleIds: readonly string[];
  /** The member's permission bitfield in this channel, as Discord sends it; undefined outside a guild. */
  permissions: bigint | undefined;
};

export type AdminPolicy = {
  adminRoleIds: readonly string[];
  adminUserIds: readonly string[];
};

export function isAdmin(member: Member, policy: AdminPolicy): boolean {
  if (policy.adminUserIds.includes(member.userId)) return true;
  if (member.roleIds.some((role) => policy.adminRoleIds.includes(role))) return true;
  const permissions = member.permissions ?? 0n;
  return (permissions & (MANAGE_GUILD | ADMINISTRATOR)) !== 0n;
}
