import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildChartSvg, escapeXml, type ChartRow } from '../bench/chart-svg.js';

const rows: ChartRow[] = [
  { label: 'ratio', measured: 0.2, target: 0.25, unit: '×', better: 'lower' },
  { label: 'throughput <ratio>', measured: 1.2, target: 1.5, unit: '×', better: 'higher' },
  { label: 'parked', measured: null, target: 500, unit: 'MB', better: 'lower' },
];

describe('bench chart', () => {
  const svg = buildChartSvg(rows, { title: 'Airlock & targets', subtitle: '2 cores' });

  it('is one SVG document with a row per target', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
    assert.match(svg, /<\/svg>\n$/);
    assert.equal(svg.match(/stroke-dasharray/g)?.length, rows.length, 'one target line per row');
    assert.equal(svg.match(/<svg/g)?.length, 1);
  });

  it('colours a met target green and a missed one orange, and draws no bar for a number it does not have', () => {
    assert.match(svg, /fill="#2e7d32"/);
    assert.match(svg, /fill="#e65100"/);
    assert.match(svg, />0\.2 × \(met\)</);
    assert.match(svg, />1\.2 × \(missed\)</);
    assert.match(svg, />not measured</);
    // Background, title, subtitle, 3 tracks, 2 measured bars.
    assert.equal(svg.match(/<rect /g)?.length, 1 + 3 + 2);
  });

  it('escapes text so labels cannot break the markup', () => {
    assert.match(svg, /Airlock &amp; targets/);
    assert.match(svg, /throughput &lt;ratio&gt;/);
    assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
  });
});

describe('bench chart scale', () => {
  it('cuts a bar far past its target at the edge and marks it, keeping the target line in view', () => {
    const svg = buildChartSvg([{ label: 'memory', measured: 30_000, target: 500, unit: 'MB', better: 'lower' }], { title: 't', subtitle: 's' });
    assert.match(svg, />»</);
    assert.match(svg, />30000 MB \(missed\)</);
    const line = /<line x1="([\d.]+)"/.exec(svg);
    // The target sits at 1/(3 × 1.15) of the 350-pixel bar that starts at 330.
    assert.ok(line && Math.abs(Number(line[1]) - (330 + 350 / 3.45)) < 1, `target line at ${line?.[1]}`);
  });
});
