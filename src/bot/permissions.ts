import { PermissionFlagsBits, type Interaction } from 'discord.js';
import type { Config } from '../config.ts';
import { UserError } from '../errors.ts';

/**
 * Who counts as an admin of the bot, in one file: the pure rule, the member behind an
 * interaction, and the run-time check every admin command makes. Discord's `default_member_permissions` only hides a
 * command; a server can override it per role or channel, so every admin action checks
 * again at run time with this function.
 */

/** Manage Server (Discord calls it MANAGE_GUILD), bit 5. */
export const MANAGE_GUILD = PermissionFlagsBits.ManageGuild;
/** Administrator, bit 3: implies every permission. */
export const ADMINISTRATOR = PermissionFlagsBits.Administrator;

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

/** Manage Server, as Discord's default_member_permissions wants it. */
export const MANAGE_SERVER_PERMISSION = String(MANAGE_GUILD);

/** The member behind an interaction (a command or its autocomplete), as the admin check needs it. */
export function memberOf(interaction: Interaction): Member {
  const raw = interaction.member;
  const roleIds = !raw ? [] : Array.isArray(raw.roles) ? raw.roles : [...raw.roles.cache.keys()];
  return { userId: interaction.user.id, roleIds, permissions: interaction.memberPermissions?.bitfield };
}

export function isAdminInteraction(interaction: Interaction, config: Config): boolean {
  return isAdmin(memberOf(interaction), { adminRoleIds: config.ADMIN_ROLE_IDS, adminUserIds: config.ADMIN_USER_IDS });
}

/** The run-time half of the admin check (a server may widen who sees the command). */
export function requireAdmin(interaction: Interaction, config: Config): void {
  if (!isAdminInteraction(interaction, config)) {
    throw new UserError('not_admin', 'Only server admins (Manage Server permission or an admin role) can use this command.');
  }
}
