import { describe, expect, it } from 'vitest';
import { createComfyClient } from '../../src/comfy/index.ts';
import { preferredModels, preflight } from '../../src/workflow/index.ts';
import { loadProjectAssets, projectModelFiles } from './rig.ts';
import { realTargets, showLogOnFailure } from './targets.ts';

for (const target of realTargets()) {
  describe(`preflight against ${target.name}`, () => {
    showLogOnFailure(target);
    const client = createComfyClient({ baseUrl: target.url });

    it('finds every node, every preset’s models, the DisTorch2 devices and the upscale model', async () => {
      const { presets, workflows } = await loadProjectAssets();
      const report = await preflight(client, presets, workflows);
      expect(report.missingNodes).toEqual([]);
      for (const name of Object.keys(presets)) expect(report.presets[name], name).toMatchObject({ runnable: true, missing: [], modelProblems: [] });
      expect(report.upscaleRunnable).toBe(true);
      expect(report.devices).toEqual(['cpu', 'cuda:0', 'cuda:1']);
      expect(report.ok).toBe(true);
    });

    it('sees the preview flag on ComfyUI’s command line', async () => {
      const stats = await client.systemStats();
      const argv = stats.system.argv ?? [];
      expect(argv[argv.indexOf('--preview-method') + 1]).toBe('auto');
      const { presets, workflows } = await loadProjectAssets();
      expect((await preflight(client, presets, workflows)).system.previews).toEqual({ method: 'auto', enabled: true, known: true });
    });

    it.skipIf(!target.rig)('names the model file that went missing, with the closest installed names, for every preset that loads it', async () => {
      const rig = target.rig!;
      const { presets, workflows } = await loadProjectAssets();
      const all = await projectModelFiles();
      const wanted = preferredModels(presets.fast!.models).highModel;
      const gone = `diffusion_models/${wanted}`;
      expect(all).toContain(gone);
      await rig.setModels(all.filter((file) => file !== gone));
      try {
        const report = await preflight(client, presets, workflows);
        expect(report.ok).toBe(false);
        for (const preset of Object.values(presets)) {
          const loadsIt = preferredModels(preset.models).highModel === wanted;
          expect(report.presets[preset.name]?.runnable).toBe(!loadsIt);
          if (!loadsIt) continue;
          expect(report.presets[preset.name]?.models).toBeUndefined();
          expect(report.presets[preset.name]?.missing.join('\n')).toContain(wanted);
          expect(report.presets[preset.name]?.missing.join('\n')).toContain('models/diffusion_models or models/unet');
        }
      } finally {
        await rig.setModels(all);
      }
      expect((await preflight(client, presets, workflows)).ok).toBe(true);
    });
  });
}
