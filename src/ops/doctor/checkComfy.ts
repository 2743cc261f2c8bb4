import { createComfyClient, diskFoldersOf } from '../../comfy/index.ts';
import type { SystemStats } from '../../comfy/schemas.ts';
import { describeModelFiles, describeModelProblem, preflight, type PreflightWorkflows, type Presets } from '../../workflow/index.ts';
import { fail, ok, printableUrl, warn, type CheckResult } from './report.ts';

/** Where each custom node pack comes from, for the fix line. */
const PACK_REPOS: Record<string, string> = {
  'ComfyUI-MultiGPU': 'https://github.com/pollockjj/ComfyUI-MultiGPU',
  'ComfyUI-GGUF': 'https://github.com/city96/ComfyUI-GGUF',
  'ComfyUI-KJNodes': 'https://github.com/kijai/ComfyUI-KJNodes',
  'ComfyUI-VideoHelperSuite': 'https://github.com/Kosinkadink/ComfyUI-VideoHelperSuite',
};


const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

/** Pure: the `--preview-method` ComfyUI was started with, from /system_stats argv ('none' when absent). */
export function previewMethod(stats: SystemStats): string {
  const argv = stats.system.argv ?? [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    if (arg === '--preview-method') return argv[index + 1] ?? 'none';
    if (arg.startsWith('--preview-method=')) return arg.slice('--preview-method='.length);
  }
  return 'none';
}

/** One ComfyUI: answers, version, preview flag, devices, node packs, and the model files of every preset. */
export async function checkComfy(url: string, presets: Presets, workflows: PreflightWorkflows): Promise<CheckResult[]> {
  const where = printableUrl(url);
  const client = createComfyClient({ baseUrl: url, timeoutMs: 10_000 });
  let stats: SystemStats;
  try {
    stats = await client.systemStats();
  } catch (error) {
    return [fail(`ComfyUI at ${where} does not answer (${error instanceof Error ? error.message : String(error)})`, `start it (\`systemctl --user start comfyui\`), or correct COMFYUI_URL`)];
  }
  const results: CheckResult[] = [ok(`ComfyUI ${stats.system.comfyui_version ?? '(version not reported)'} at ${where} answers`)];

  const method = previewMethod(stats);
  results.push(method === 'none'
    ? fail(`${where}: started without --preview-method, so members see no preview frames while a video renders`, 'add `--preview-method auto` to ComfyUI\'s command line (ExecStart= of comfyui.service, see deploy/systemd/comfyui.service) and restart it')
    : ok(`${where}: --preview-method ${method}`));

  const gpus = stats.devices.filter((device) => device.type !== 'cpu');
  results.push(gpus.length === 0
    ? warn(`${where}: no GPU, ComfyUI runs on the CPU (fine for tests; a real video would take hours)`, 'start ComfyUI on a host with an NVIDIA GPU and a CUDA build of PyTorch')
    : ok(`${where}: ${gpus.map((device) => `${device.name} (${gib(device.vram_free ?? 0)} free of ${gib(device.vram_total ?? 0)})`).join(', ')}`));

  let report;
  try {
    report = await preflight(client, presets, workflows);
  } catch (error) {
    return [...results, fail(`${where}: could not list its nodes and models (${error instanceof Error ? error.message : String(error)})`, 'check that ComfyUI finished starting, then run `npm run doctor` again')];
  }
  const packs = [...new Set(report.missingNodes.map((node) => node.pack))];
  if (packs.length === 0) results.push(ok(`${where}: every node the workflows use is installed`));
  for (const pack of packs) {
    const classes = report.missingNodes.filter((node) => node.pack === pack).map((node) => node.classType).join(', ');
    const repo = PACK_REPOS[pack];
    results.push(fail(`${where}: custom node pack ${pack} is missing (no ${classes})`, repo ? `cd ComfyUI/custom_nodes && git clone ${repo} (or install "${pack}" with ComfyUI-Manager), then restart ComfyUI` : `${pack}, then restart ComfyUI`));
  }
  for (const preset of Object.values(presets)) {
    const verdict = report.presets[preset.name];
    if (verdict?.runnable && verdict.models) {
      results.push(ok(`${where}: preset ${preset.name} resolves to ${describeModelFiles(verdict.models).join(', ')}`));
      continue;
    }
    const problems = verdict?.modelProblems ?? [];
    if (problems.length === 0) results.push(fail(`${where}: preset ${preset.name} cannot run: ${verdict?.missing.join('; ') || 'it needs the node packs above'}`, 'install the packs above'));
    for (const problem of problems) {
      const [first = '?'] = problem.wanted;
      results.push(
        fail(
          `${where}: preset ${preset.name} needs ${describeModelProblem(problem)}`,
          `put ${first} (or another name presets/models.json accepts for the ${problem.what}) in ComfyUI's ${diskFoldersOf(problem.folder)}, then run \`npm run doctor\` again (ComfyUI re-reads its model folders)`,
        ),
      );
    }
  }
  if (workflows.upscale) {
    results.push(report.upscaleRunnable
      ? ok(`${where}: ⬆️ upscale can run`)
      : warn(`${where}: ⬆️ upscale cannot run (missing ${report.upscaleMissing.join(', ')})`, 'put 4x-UltraSharp.pth in ComfyUI/models/upscale_models/ (only needed for ⬆️)'));
  }
  return results;
}
