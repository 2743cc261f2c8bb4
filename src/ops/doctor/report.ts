/**
 * What `npm run doctor` prints: one line per check, ✔ / ⚠ / ✘ / – (skipped), and under
 * every warning or failure the exact fix. Pure; never given a secret to print.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export type CheckResult = {
  status: CheckStatus;
  /** What was checked and what was found, e.g. "Redis 7.0.15 at redis://127.0.0.1:6379". */
  title: string;
  /** The exact thing to do (a command, a line of config); required for warn and fail. */
  fix?: string | undefined;
};

export const ok = (title: string): CheckResult => ({ status: 'ok', title });
export const warn = (title: string, fix: string): CheckResult => ({ status: 'warn', title, fix });
export const fail = (title: string, fix: string): CheckResult => ({ status: 'fail', title, fix });
export const skip = (title: string, fix?: string): CheckResult => ({ status: 'skip', title, fix });

const MARK = { ok: '✔', warn: '⚠', fail: '✘', skip: '–' } as const satisfies Record<CheckStatus, string>;

export function renderReport(sections: Array<{ name: string; results: CheckResult[] }>): string {
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(section.name);
    for (const result of section.results) {
      lines.push(`  ${MARK[result.status]} ${result.title}`);
      if (result.fix) lines.push(...result.fix.split('\n').map((line, index) => `      ${index === 0 ? 'fix: ' : '     '}${line}`));
    }
  }
  const all = sections.flatMap((section) => section.results);
  const count = (status: CheckStatus) => all.filter((result) => result.status === status).length;
  lines.push('', `${count('fail') === 0 ? '✔ nothing failed' : `✘ ${count('fail')} failed`}: ${count('ok')} ok, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}

/** Pure: a URL fit to print (user and password blanked). */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = '***';
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}
