import type { Config } from '../../config.ts';
import { commandDrift } from './commandDrift.ts';
import { fail, ok, skip, type CheckResult } from './report.ts';

/**
 * The token is valid (`GET /users/@me`), the application id matches it, and the registered
 * commands are the ones defined here. The token goes in a header and nowhere else: never
 * into a message, a log or an error text.
 */
export async function checkDiscord(config: Config, localCommands: readonly unknown[]): Promise<CheckResult[]> {
  if (!config.DISCORD_TOKEN) {
    return [skip('Discord: skipped (DISCORD_TOKEN is not set): the token, the application id and the registered commands were not checked', 'set DISCORD_TOKEN and DISCORD_APP_ID in .env to check them (a worker-only host needs them only to edit status messages)')];
  }
  const token = config.DISCORD_TOKEN;
  const api = `${config.DISCORD_API_BASE.replace(/\/+$/, '')}/v10`;
  const get = async (path: string) => {
    const response = await fetch(`${api}${path}`, { headers: { authorization: `Bot ${token}` }, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | unknown[] | undefined };
  };
  const results: CheckResult[] = [];
  let me;
  try {
    me = await get('/users/@me');
  } catch (error) {
    return [fail(`Discord API at ${config.DISCORD_API_BASE} does not answer (${error instanceof Error ? error.name : 'error'})`, 'check this host\'s internet connection and DISCORD_API_BASE (normally https://discord.com/api)')];
  }
  if (me.status === 401) {
    return [fail('Discord refuses the token (401 Unauthorized)', 'Developer Portal → your application → Bot → Reset Token, and put the new token in DISCORD_TOKEN')];
  }
  if (me.status !== 200 || !me.body || Array.isArray(me.body)) return [fail(`Discord answered GET /users/@me with HTTP ${me.status}`, 'try again later; if it persists, check https://discordstatus.com')];
  results.push(ok(`Discord token is valid: bot ${String(me.body['username'])} (${String(me.body['id'])})`));

  const app = await get('/applications/@me');
  const appId = !Array.isArray(app.body) ? String(app.body?.['id'] ?? '') : '';
  if (app.status !== 200 || !appId) {
    results.push(fail(`Discord answered GET /applications/@me with HTTP ${app.status}`, 'try again later'));
    return results;
  }
  if (!config.DISCORD_APP_ID) results.push(fail(`DISCORD_APP_ID is not set (this token's application is ${appId})`, `set DISCORD_APP_ID=${appId}`));
  else if (config.DISCORD_APP_ID !== appId) results.push(fail(`DISCORD_APP_ID ${config.DISCORD_APP_ID} is not this token's application (${appId})`, `set DISCORD_APP_ID=${appId}, or use the token of application ${config.DISCORD_APP_ID}`));
  else results.push(ok(`DISCORD_APP_ID matches the token's application (${appId})`));

  const where = config.DISCORD_GUILD_ID ? `in server ${config.DISCORD_GUILD_ID}` : 'globally';
  const path = config.DISCORD_GUILD_ID ? `/applications/${appId}/guilds/${config.DISCORD_GUILD_ID}/commands` : `/applications/${appId}/commands`;
  const registered = await get(path);
  if (registered.status !== 200 || !Array.isArray(registered.body)) {
    const fix = registered.status === 403 ? 'invite the bot to that server with the applications.commands scope, or correct DISCORD_GUILD_ID' : 'check DISCORD_GUILD_ID, then run `npm run register`';
    results.push(fail(`could not read the commands registered ${where} (HTTP ${registered.status})`, fix));
    return results;
  }
  const drift = commandDrift(localCommands, registered.body);
  results.push(drift.length === 0
    ? ok(`the commands registered ${where} match the local definitions (${localCommands.length})`)
    : fail(`the commands registered ${where} are stale: ${drift.slice(0, 5).join('; ')}${drift.length > 5 ? `; and ${drift.length - 5} more` : ''}`, 'npm run register'));
  return results;
}
