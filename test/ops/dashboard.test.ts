import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { registry } from '../../src/ops/metrics.ts';

it('the Grafana dashboard reads only metrics the process exports, and every exported oelala metric has a panel', async () => {
  const dashboard = JSON.parse(await readFile('deploy/grafana/oelala-bot.json', 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
  const used = new Set(exprs.flatMap((expr) => expr.match(/oelala_\w+/g) ?? []).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
  const exported = new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
  expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  const ours = [...exported].filter((name) => !/^oelala_(process|nodejs)_/.test(name));
  expect(ours.filter((name) => !used.has(name))).toEqual([]);
});
