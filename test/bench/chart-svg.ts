/**
 * The bench's chart as SVG text, built by hand so the bench needs no plotting dependency. One row per target: the
 * measured value as a bar, the target as a dashed line on the same scale, green when the target is met. Each row
 * has its own scale because the rows have different units.
 */

export interface ChartRow {
  label: string;
  /** null: not measured in this run (drawn as such, never as zero). */
  measured: number | null;
  target: number;
  unit: string;
  /** Whether a lower or a higher measured value is the good direction. */
  better: 'lower' | 'higher';
}

export interface ChartOptions {
  title: string;
  /** A line under the title: the machine and the load it ran under. */
  subtitle: string;
}

const WIDTH = 900;
const LABEL_WIDTH = 330;
const BAR_WIDTH = 350;
/** A bar longer than this many targets is cut at the edge (and marked), so the target line stays readable. */
const MAX_SCALE_TARGETS = 3;
const ROW_HEIGHT = 44;
const TOP = 70;
const MET = '#2e7d32';
const MISSED = '#e65100';

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function targetMet(row: ChartRow): boolean | null {
  if (row.measured === null) return null;
  return row.better === 'lower' ? row.measured <= row.target : row.measured >= row.target;
}

function formatValue(value: number, unit: string): string {
  const shown = Math.abs(value) >= 100 ? Math.round(value).toString() : (Math.round(value * 100) / 100).toString();
  return unit ? `${shown} ${unit}` : shown;
}

export function buildChartSvg(rows: readonly ChartRow[], options: ChartOptions): string {
  const height = TOP + rows.length * ROW_HEIGHT + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="17" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="16" y="48" fill="#555555">${escapeXml(options.subtitle)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = TOP + i * ROW_HEIGHT;
    const met = targetMet(row);
    const scale = Math.max(row.target, Math.min(row.measured ?? 0, row.target * MAX_SCALE_TARGETS), Number.EPSILON) * 1.15;
    const x = (value: number) => LABEL_WIDTH + (Math.min(Math.max(0, value), scale) / scale) * BAR_WIDTH;
    const cut = row.measured !== null && row.measured > scale;
    const targetText = `target ${row.better === 'lower' ? '≤' : '≥'} ${formatValue(row.target, row.unit)}`;
    parts.push(`<text x="16" y="${y + 20}">${escapeXml(row.label)}</text>`);
    parts.push(`<rect x="${LABEL_WIDTH}" y="${y + 6}" width="${BAR_WIDTH}" height="20" fill="#f0f0f0"/>`);
    if (row.measured !== null) {
      parts.push(`<rect x="${LABEL_WIDTH}" y="${y + 6}" width="${(x(row.measured) - LABEL_WIDTH).toFixed(1)}" height="20" fill="${met ? MET : MISSED}"/>`);
      if (cut) parts.push(`<text x="${LABEL_WIDTH + BAR_WIDTH - 16}" y="${y + 21}" fill="#ffffff" font-weight="bold">»</text>`);
    }
    const tx = x(row.target).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 30}" stroke="#000000" stroke-width="2" stroke-dasharray="4 3"/>`);
    const value = row.measured === null ? 'not measured' : `${formatValue(row.measured, row.unit)} (${met ? 'met' : 'missed'})`;
    parts.push(`<text x="${LABEL_WIDTH + BAR_WIDTH + 12}" y="${y + 15}">${escapeXml(value)}</text>`);
    parts.push(`<text x="${LABEL_WIDTH + BAR_WIDTH + 12}" y="${y + 31}" fill="#555555" font-size="11">${escapeXml(targetText)}</text>`);
  });
  parts.push(`<text x="16" y="${height - 10}" fill="#555555" font-size="11">${escapeXml('Bars: measured (» : cut at the edge). Dashed line: target. Green: target met; orange: missed.')}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
