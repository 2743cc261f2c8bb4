import type { Interaction } from 'discord.js';
import type { Config } from '../config.ts';
import { UserError } from '../errors.ts';
import { isAdminInteraction } from './memberOf.ts';

/** Manage Server, as Discord's default_member_permissions wants it. */
export const MANAGE_SERVER_PERMISSION = '32';

/** The run-time half of the admin check (a server may widen who sees the command). */
export function requireAdmin(interaction: Interaction, config: Config): void {
  if (!isAdminInteraction(interaction, config)) {
    throw new UserError('not_admin', 'Only server admins (Manage Server permission or an admin role) can use this command.');
  }
}
