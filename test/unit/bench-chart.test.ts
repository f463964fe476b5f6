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
