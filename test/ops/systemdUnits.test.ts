import { execFile, execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const DIR = 'deploy/systemd';
const hasSystemdAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const unit = (name: string) => readFile(`${DIR}/${name}`, 'utf8');

describe('the systemd user units in deploy/systemd', () => {
  it('are the all-in-one bot, the bot alone, a worker template and ComfyUI', async () => {
    expect((await readdir(DIR)).filter((name) => name.endsWith('.service')).sort()).toEqual(['comfyui.service', 'oelala-bot-discord.service', 'oelala-bot.service', 'oelala-worker@.service']);
  });

  it("follow the owner's style: Restart=always, RestartSec=5, WantedBy=default.target; ours read an EnvironmentFile", async () => {
    for (const name of ['oelala-bot.service', 'oelala-bot-discord.service', 'oelala-worker@.service', 'comfyui.service']) {
      const text = await unit(name);
      expect(text, name).toMatch(/^Restart=always$/m);
      expect(text, name).toMatch(/^RestartSec=5$/m);
      expect(text, name).toMatch(/^WantedBy=default\.target$/m);
      if (name !== 'comfyui.service') expect(text, name).toMatch(/^EnvironmentFile=%h\/oelala-bot\/\S*\.env$/m);
    }
    expect(await unit('oelala-worker@.service')).toMatch(/^EnvironmentFile=%h\/oelala-bot\/worker-%i\.env$/m);
  });

  it('run what npm start / bot / worker run, with node as the main process', async () => {
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
    for (const [name, mode] of [['oelala-bot.service', 'all'], ['oelala-bot-discord.service', 'bot'], ['oelala-worker@.service', 'worker']] as const) {
      const execStart = /^ExecStart=\/usr\/bin\/(.*)$/m.exec(await unit(name))?.[1];
      const script = scripts[mode === 'all' ? 'start' : mode] ?? '';
      expect(script.replace(/^npm run build && /, ''), name).toBe(execStart);
    }
  });

  it('start ComfyUI with --preview-method auto', async () => {
    expect(await unit('comfyui.service')).toMatch(/^ExecStart=.*main\.py .*--preview-method auto/m);
  });

  it.runIf(hasSystemdAnalyze)('pass systemd-analyze --user verify without a single complaint', async () => {
    const { stdout } = await run(`${DIR}/verify`);
    expect(stdout).toContain('ok');
  });
});
