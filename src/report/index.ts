// Reports: Vega-Lite plots rendered to SVG in Node, and self-contained HTML pages that embed them with their data.
export * from './svg.js';
export * from './html.js';
export * from './format.js';
