/** One section of an HTML report: a heading, a paragraph, optionally a plot (SVG text) and the data behind it. */
export interface ReportSection {
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  /** An SVG document (from `renderSvg`), inlined as is. */
  svg?: string;
  /** The data the plot shows, embedded as JSON under the plot (machine-readable, id `data-<n>`). */
  data?: unknown;
  /** Raw HTML appended after the plot (e.g. a table from `htmlTable`); the caller escapes its contents. */
  html?: string;
}

/** The whole report: title, optional intro text, sections, and an optional JSON payload for the page. */
export interface ReportInput {
  title: string;
  intro?: string;
  sections: ReportSection[];
  /** Embedded once at the end as `<script type="application/json" id="report-data">`. */
  data?: unknown;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a `<script>` element: `<`, `>`, `&` and line separators escaped as \u sequences. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** An HTML table from a header row and body rows; cells are escaped, numbers shown with `digits` significant digits. */
export function htmlTable(header: string[], rows: (string | number | boolean | null)[][], digits = 4): string {
  const cell = (v: string | number | boolean | null): string =>
    v === null ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(digits)) : String(v);
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(cell(v))}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

const style = `body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.85em;margin:1em 0;display:block;overflow-x:auto;max-height:32em}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right;white-space:nowrap}th{background:#f4f4f4;position:sticky;top:0}
details{margin:.5em 0}pre{font-size:.8em;overflow-x:auto;background:#f8f8f8;padding:.5em}`;

/** A self-contained HTML page (inline CSS and SVG, embedded JSON, no network references). */
export function htmlReport(input: ReportInput): string {
  const sections = input.sections.map((s, i) => {
    const parts = [`<section id="section-${i + 1}">`, `<h2>${escapeHtml(s.heading)}</h2>`];
    if (s.text) parts.push(paragraphs(s.text));
    if (s.svg) parts.push(`<figure>${stripXmlProlog(s.svg)}</figure>`);
    if (s.html) parts.push(s.html);
    if (s.data !== undefined) parts.push(`<script type="application/json" id="data-${i + 1}">${scriptJson(s.data)}</script>`);
    parts.push('</section>');
    return parts.join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(input.title)}</h1>`,
    input.intro ? paragraphs(input.intro) : '',
    ...sections,
    input.data !== undefined ? `<script type="application/json" id="report-data">${scriptJson(input.data)}</script>` : '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function stripXmlProlog(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}
