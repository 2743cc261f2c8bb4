/** One row of the printed table and of bench/results.json. */
export type Figure = {
  id: string;
  label: string;
  unit: string;
  median: number;
  min?: number | undefined;
  max?: number | undefined;
  n?: number | undefined;
  /** The budget as words ("< 50 ms") and as a check. */
  budget: string;
  pass: boolean | undefined;
  note?: string | undefined;
};

const fmt = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '—' : Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(value % 1 === 0 ? 0 : 2);

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.label,
    `${fmt(f.median)} ${f.unit}`,
    f.min === undefined ? '' : `${fmt(f.min)}–${fmt(f.max)}`,
    f.budget,
    f.pass === undefined ? 'info' : f.pass ? 'ok' : 'MISS',
    f.note ?? '',
  ]);
  const header = ['figure', 'median', 'min–max', 'budget', '', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
