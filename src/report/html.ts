import { formatColumns, type TableCell } from './format.js';

/** One section of an HTML report: a heading, a paragraph, optionally a plot (SVG text) and the data behind it. */
export interface ReportSection {
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  /** An SVG document (from `renderSvg`), inlined as is. */
  svg?: string;
  /** Plain text under the plot (`<figcaption>`): what each mark shows. */
  caption?: string;
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

/** How `htmlTable` shows a table: significant digits, and a class (with its inline style) per body row. */
export interface HtmlTableOptions {
  /** Significant digits of each numeric column's largest magnitude (default 4). */
  digits?: number;
  /** A class for body row `i` (`outside` marks a failed check), or undefined for none. */
  rowClass?: (row: readonly TableCell[], i: number) => string | undefined;
  /** A caption shown above the table. */
  caption?: string;
}

/** Inline styles of the row classes, so a marked row stands out even where the page's CSS is dropped. */
const rowStyles: Record<string, string> = {
  outside: 'background:#fde2e0;color:#9b1c1c;font-weight:bold',
};

/**
 * An HTML table from a header row and body rows; cells are escaped, every numeric column formatted alike
 * (`formatColumns`: integers as they are, other numbers with one set of decimals, float noise as 0).
 */
export function htmlTable(header: string[], rows: TableCell[][], options: number | HtmlTableOptions = {}): string {
  const o: HtmlTableOptions = typeof options === 'number' ? { digits: options } : options;
  const text = formatColumns(rows, o.digits ?? 4);
  // A column of text is left-aligned, header included; numbers and intervals are right-aligned.
  const textColumn = header.map((_, j) => text.length > 0 && text.every((r) => r[j] === undefined || !isNumeric(r[j])));
  const head = `<tr>${header.map((h, j) => (textColumn[j] ? `<th class="t">${escapeHtml(h)}</th>` : `<th>${escapeHtml(h)}</th>`)).join('')}</tr>`;
  const body = text
    .map((r, i) => {
      const cls = o.rowClass?.(rows[i], i);
      const attrs = cls ? ` class="${escapeHtml(cls)}"${rowStyles[cls] ? ` style="${rowStyles[cls]}"` : ''}` : '';
      return `<tr${attrs}>${r.map((v) => (isNumeric(v) ? `<td>${escapeHtml(v)}</td>` : `<td class="t">${escapeHtml(v)}</td>`)).join('')}</tr>`;
    })
    .join('\n');
  const caption = o.caption ? `<caption>${escapeHtml(o.caption)}</caption>\n` : '';
  return `<div class="table-wrap"><table>\n${caption}<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** Whether a formatted cell reads as a number or an interval (right-aligned) rather than text (left-aligned). */
function isNumeric(cell: string): boolean {
  return /^[-+−]?(\d|\.\d|∞|\[|—$|NaN$)/.test(cell);
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
.table-wrap{overflow-x:auto;margin:1em 0}table{border-collapse:collapse;font-size:.85em}caption{text-align:left;padding:.3em 0;color:#444}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right;white-space:nowrap}th{background:#f4f4f4;white-space:normal;vertical-align:bottom;max-width:9em}
td.t,th.t{text-align:left}tr.outside td{background:#fde2e0;color:#9b1c1c;font-weight:bold}
figcaption{font-size:.9em;color:#444;max-width:46em}
details{margin:.5em 0}pre{font-size:.8em;overflow-x:auto;background:#f8f8f8;padding:.5em}`;

/** A self-contained HTML page (inline CSS and SVG, embedded JSON, no network references). */
export function htmlReport(input: ReportInput): string {
  const sections = input.sections.map((s, i) => {
    const parts = [`<section id="section-${i + 1}">`, `<h2>${escapeHtml(s.heading)}</h2>`];
    if (s.text) parts.push(paragraphs(s.text));
    if (s.svg) parts.push(`<figure>${stripXmlProlog(s.svg)}${s.caption ? `\n<figcaption>${escapeHtml(s.caption)}</figcaption>` : ''}</figure>`);
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
