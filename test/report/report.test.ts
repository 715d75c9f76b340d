import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, htmlReport, htmlTable, renderSvg, scriptJson, type VegaLiteSpec } from '../../src/report/index.js';

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
  assert.match(html, /<td>&lt;x&gt;<\/td>/);
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
