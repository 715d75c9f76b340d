import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertProperty } from '../helpers/property.js';
import {
  decimalsFor,
  escapeHtml,
  formatColumns,
  formatInterval,
  formatNumber,
  formatScaled,
  htmlReport,
  htmlTable,
  naturalCompare,
  renderSvg,
  scriptJson,
  type VegaLiteSpec,
} from '../../src/report/index.js';

const lineSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'A test plot',
  data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 5 }] },
  mark: 'line',
  encoding: { x: { field: 'x', type: 'quantitative', title: 'the x axis' }, y: { field: 'y', type: 'quantitative' } },
} as VegaLiteSpec;

test('renderSvg turns a Vega-Lite spec into an SVG document with its title and axis labels', async () => {
  const svg = await renderSvg(lineSpec);
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /A test plot/);
  assert.match(svg, /the x axis/);
  assert.match(svg, /<path[^>]*d="M/);
  assert.equal(await renderSvg(lineSpec), svg, 'same spec, same bytes');
});

test('renderSvg refuses data that would be loaded from a URL or file', async () => {
  const remote = { ...lineSpec, data: { url: 'https://example.com/data.json' } } as VegaLiteSpec;
  await assert.rejects(renderSvg(remote), /external data/);
});

test('htmlReport is self-contained: inline SVG, escaped text, embedded JSON that cannot close its script', async () => {
  const svg = await renderSvg(lineSpec);
  const tricky = { note: '</script><script>alert(1)</script>', amp: 'a & b', line: 'x\u2028y' };
  const html = htmlReport({
    title: 'Report <1>',
    intro: 'First paragraph.\n\nSecond & last.',
    sections: [{ heading: 'Plot', text: 'About the plot.', svg, data: tricky, html: htmlTable(['a', 'b'], [[1, 0.123456789], ['<x>', null]]) }],
    data: { all: tricky },
  });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<title>Report &lt;1&gt;<\/title>/);
  assert.match(html, /<p>Second &amp; last\.<\/p>/);
  assert.ok(html.includes(svg.slice(0, 200)));
  assert.equal(html.match(/<\/script>/g)!.length, 2, 'only the two data scripts close');
  const embedded = html.match(/<script type="application\/json" id="data-1">(.*?)<\/script>/s)![1];
  assert.deepEqual(JSON.parse(embedded), tricky);
  assert.match(html, /<td>0\.1235<\/td>/);
  assert.match(html, /<td class="t">&lt;x&gt;<\/td>/);
  assert.match(html, /<td>—<\/td>/);
  // No network references: no external scripts, styles, images or links.
  assert.doesNotMatch(html, /(src|href)\s*=\s*"https?:/);
  assert.doesNotMatch(html, /<link|@import|<script src/);
});

test('escapeHtml and scriptJson escape what they must', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(scriptJson({ s: '</script>' }), '{"s":"\\u003c/script\\u003e"}');
  assert.deepEqual(JSON.parse(scriptJson({ s: '<&>' })), { s: '<&>' });
});

test('formatColumns: one set of decimals per numeric column (4 significant digits of its largest value), integers as they are', () => {
  const rows = [
    ['N-1e6', 0.4472, 0.06744, 100, true],
    ['N-1e10', 0.9921, 0.3673, 7, false],
    ['dip', -0.8492, 0.54, 0, null],
  ];
  assert.deepEqual(formatColumns(rows), [
    ['N-1e6', '0.4472', '0.0674', '100', 'yes'],
    ['N-1e10', '0.9921', '0.3673', '7', 'no'],
    ['dip', '-0.8492', '0.5400', '0', '—'],
  ]);
  // A column whose largest value is 78 keeps 4 significant digits there: two decimals for every row.
  assert.deepEqual(formatColumns([[78.0528], [0.5630]]).map((r) => r[0]), ['78.05', '0.56']);
  // Exponent notation when fixed decimals cannot show the column: tiny or huge non-integers.
  assert.deepEqual(formatColumns([[6.845e-4], [2e-5]]).map((r) => r[0]), ['6.845e-4', '2.000e-5']);
  assert.equal(decimalsFor(0.99996), 3, '0.99996 prints as 1.000, so it counts as magnitude 1');
});

test('float noise below 1e-12 of the column scale prints as 0, and a rounded zero has no minus sign', () => {
  const rows = [[0.3162], [4.077e-17], [-1.344e-17], [2.776e-17], [-0.00001]];
  assert.deepEqual(formatColumns(rows).map((r) => r[0]), ['0.3162', '0.0000', '0.0000', '0.0000', '0.0000']);
  assert.equal(formatScaled(-1.344e-17, 1), '0.000', 'scale 1: three decimals');
  assert.equal(formatScaled(-0.5, 0.9), '-0.5000');
  assert.equal(formatScaled(Number.POSITIVE_INFINITY, 1), '∞');
  // Alone, a tiny value is a value, not noise.
  assert.equal(formatNumber(4.077e-17), '4.077e-17');
  assert.equal(formatNumber(1.376), '1.376');
  assert.equal(formatNumber(32), '32');
  assert.deepEqual(formatInterval(77.9351, 77.122, 78.7799), { value: '77.94', interval: '[77.12, 78.78]' });
});

test('naturalCompare orders digit runs by value: the capacity ladder N-1e6 … N-1e10 in order', () => {
  const files = ['capacity-ladder/N-1e10.yaml', 'capacity-ladder/N-1e6.yaml', 'capacity-ladder/N-1e9.yaml', 'capacity-ladder/N-1e7.yaml', 'capacity-ladder/N-1e8.yaml'];
  assert.deepEqual([...files].sort(naturalCompare), ['capacity-ladder/N-1e6.yaml', 'capacity-ladder/N-1e7.yaml', 'capacity-ladder/N-1e8.yaml', 'capacity-ladder/N-1e9.yaml', 'capacity-ladder/N-1e10.yaml']);
  assert.deepEqual(['b', 'a10', 'a2', 'a02x', 'a'].sort(naturalCompare), ['a', 'a2', 'a02x', 'a10', 'b']);
});

test('property: naturalCompare sorts names with numbers by their numbers, and is a consistent order', () => {
  assertProperty(
    fc.property(fc.array(fc.nat({ max: 1e9 }), { minLength: 1, maxLength: 20 }), fc.stringMatching(/^[a-z-]{0,4}$/), (numbers, prefix) => {
      const names = numbers.map((n) => `${prefix}${n}.yaml`);
      const sorted = [...names].sort(naturalCompare);
      assert.deepEqual(sorted, [...numbers].sort((a, b) => a - b).map((n) => `${prefix}${n}.yaml`));
      for (const a of names) {
        assert.equal(naturalCompare(a, a), 0);
        for (const b of names) assert.equal(Math.sign(naturalCompare(a, b)) + Math.sign(naturalCompare(b, a)), 0);
      }
    }),
    { numRuns: 200 },
  );
});

test('htmlTable marks rows visibly (class and inline style), captions the table, and never hides rows in a scroll box', () => {
  const rows = [
    ['tilt[eta=1].alignment', 0.9484, 'OK'],
    ['tilt[eta=2].alignment', 0.9519, 'OUTSIDE'],
  ];
  const table = htmlTable(['quantity', 'measured', 'status'], rows, { rowClass: (r) => (r[2] === 'OUTSIDE' ? 'outside' : undefined), caption: 'checks' });
  assert.match(table, /<caption>checks<\/caption>/);
  assert.match(table, /<th class="t">status<\/th>/, 'a text column is left-aligned, header included');
  assert.match(table, /<th>measured<\/th>/);
  assert.match(table, /<tr class="outside" style="[^"]*background:[^"]*"><td class="t">tilt\[eta=2\]\.alignment<\/td><td>0\.9519<\/td><td class="t">OUTSIDE<\/td><\/tr>/);
  assert.equal(table.match(/class="outside"/g)!.length, 1);
  const html = htmlReport({ title: 't', sections: [{ heading: 'h', html: table }] });
  assert.doesNotMatch(html, /max-height/, 'no table is cut to a scroll box');
  assert.match(html, /tr\.outside td\{[^}]*background/);
});

test('htmlReport puts a section caption under its plot', async () => {
  const svg = await renderSvg(lineSpec);
  const html = htmlReport({ title: 't', sections: [{ heading: 'h', svg, caption: 'Blue line: theory; red points: measured with 95% intervals.' }] });
  assert.match(html, /<\/svg>\n<figcaption>Blue line: theory; red points: measured with 95% intervals\.<\/figcaption><\/figure>/);
});
