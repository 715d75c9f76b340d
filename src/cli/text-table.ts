// A fixed-width text table for the demo's console output, formatted like the HTML report's tables.
import { formatColumns, type TableCell } from '../report/index.js';

/** A fixed-width text table; numbers formatted per column as in the HTML report (`formatColumns`). */
export function textTable(header: string[], rows: TableCell[][]): string {
  const cells = [header, ...formatColumns(rows)];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  return cells.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ')).join('\n');
}
