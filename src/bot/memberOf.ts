import type { Interaction } from 'discord.js';
import type { Config } from '../config.ts';
import { isAdmin, type Member } from './permissions.ts';

/** The member behind an interaction, as the admin check needs it. */
export function memberOf(interaction: Interaction): Member {
  const raw = interaction.member;
  const roleIds = !raw ? [] : Array.isArray(raw.roles) ? raw.roles : [...raw.roles.cache.keys()];
  return { userId: interaction.user.id, roleIds, permissions: interaction.memberPermissions?.bitfield };
}

export function isAdminInteraction(interaction: Interaction, config: Config): boolean {
  return isAdmin(memberOf(interaction), { adminRoleIds: config.ADMIN_ROLE_IDS, adminUserIds: config.ADMIN_USER_IDS });
}
