/**
 * Activation data sets in the formats researchers already have: JSON lists of `{instruction, category}`
 * (refusal_direction), AdvBench CSV (`goal` column), HH-RLHF JSONL (`chosen`/`rejected`, gzip allowed), and plain
 * text with one prompt a line. Every reader goes through `readInputText`/`readInputFile` (size limits, regular files
 * only); every malformed record is an InputError naming the file, the line and the field.
 */
import { gunzipSync } from 'node:zlib';
import { InputError } from '../util/errors.js';
import { parseJsonStrict } from '../util/json.js';
import { readInputFile, readInputText } from '../util/read-input.js';

/** Largest data set file read (64 MiB), and the largest a gzip file may inflate to. */
export const DATASET_MAX_BYTES = 64 * 1024 * 1024;

/** One prompt of a data set, with its category when the format has one. */
export interface PromptItem {
  prompt: string;
  category: string | null;
}

/** One preference pair (HH-RLHF): the whole chosen and rejected dialogues, and the prompt they share. */
export interface PreferencePair {
  /** The dialogue up to and including the last "Assistant:" the two share. */
  prompt: string;
  chosen: string;
  rejected: string;
}

/** The formats a data set file can have. */
export type DatasetFormat = 'json' | 'csv' | 'jsonl' | 'text';

function readText(path: string, what: string): string {
  if (path.endsWith('.gz')) {
    const raw = readInputFile(path, { what, maxBytes: DATASET_MAX_BYTES });
    try {
      return gunzipSync(raw, { maxOutputLength: DATASET_MAX_BYTES }).toString('utf8');
    } catch (err) {
      throw new InputError(path, '(file)', `expected ${what}, gzip-compressed to at most 64 MiB (${(err as Error).message})`);
    }
  }
  return readInputText(path, { what, maxBytes: DATASET_MAX_BYTES });
}

/** Reads a JSON list of `{instruction, category}` (category a string or null; other keys ignored). */
export function readInstructionJson(path: string): PromptItem[] {
  const what = 'a JSON list of {instruction, category}';
  const data = parseJsonStrict(readText(path, what), path);
  if (!Array.isArray(data)) throw new InputError(path, '(top level)', `expected ${what}`);
  return data.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InputError(path, `[${i}]`, 'expected an object {instruction, category}');
    const rec = item as Record<string, unknown>;
    if (typeof rec.instruction !== 'string' || rec.instruction.trim() === '') throw new InputError(path, `[${i}].instruction`, 'expected a non-empty string');
    const category = rec.category ?? null;
    if (category !== null && typeof category !== 'string') throw new InputError(path, `[${i}].category`, 'expected a string or null');
    return { prompt: rec.instruction, category };
  });
}

/**
 * Parses CSV text (RFC 4180: quoted fields with `""` escapes and embedded commas or newlines; CRLF or LF); returns the
 * records with the 1-based line each starts on. An unterminated quote or a quote inside an unquoted field is an error.
 */
export function parseCsv(text: string, file: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') throw new InputError(file, `line ${line}`, 'expected a comma or line end after a closing quote');
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted) throw new InputError(file, `line ${line}`, 'expected a quote only at the start of a field (use "" inside quoted fields)');
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      start = line;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new InputError(file, `line ${start}`, 'expected a closing quote before the end of the file');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Reads a CSV file with a header row and returns the values of `column` (AdvBench: `goal`), one prompt per record. */
export function readCsvColumn(path: string, column = 'goal'): PromptItem[] {
  const records = parseCsv(readText(path, `a CSV file with a "${column}" column`), path);
  if (records.length === 0) throw new InputError(path, 'line 1', `expected a header row with a "${column}" column`);
  const header = records[0].fields.map((h) => h.trim());
  const at = header.indexOf(column);
  if (at < 0) throw new InputError(path, 'line 1', `expected a header row with a "${column}" column, got ${header.slice(0, 8).map((h) => JSON.stringify(h)).join(', ')}`);
  return records.slice(1).map((r) => {
    if (r.fields.length !== header.length) throw new InputError(path, `line ${r.line}`, `expected ${header.length} fields as in the header, got ${r.fields.length}`);
    const value = r.fields[at];
    if (value.trim() === '') throw new InputError(path, `line ${r.line}.${column}`, 'expected a non-empty prompt');
    return { prompt: value, category: null };
  });
}

const ASSISTANT = '\n\nAssistant:';

/** Reads HH-RLHF JSONL (`.jsonl` or `.jsonl.gz`): one `{chosen, rejected}` a line; blank lines skipped. */
export function readPreferenceJsonl(path: string): PreferencePair[] {
  const text = readText(path, 'JSONL with one {chosen, rejected} object a line');
  const out: PreferencePair[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `line ${i + 1}`;
    let rec: unknown;
    try {
      rec = parseJsonStrict(line, path);
    } catch {
      throw new InputError(path, where, 'expected one JSON object {chosen, rejected}');
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new InputError(path, where, 'expected a JSON object {chosen, rejected}');
    const { chosen, rejected } = rec as Record<string, unknown>;
    if (typeof chosen !== 'string') throw new InputError(path, `${where}.chosen`, 'expected a string');
    if (typeof rejected !== 'string') throw new InputError(path, `${where}.rejected`, 'expected a string');
    out.push({ prompt: sharedPrompt(chosen, rejected), chosen, rejected });
  });
  return out;
}

/** The common start of two dialogues up to the end of the last "\n\nAssistant:" inside it (whole common prefix if none). */
export function sharedPrompt(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  const common = a.slice(0, n);
  const at = common.lastIndexOf(ASSISTANT);
  return at >= 0 ? common.slice(0, at + ASSISTANT.length) : common;
}

/** Reads plain text, one prompt a line (blank lines and lines starting with `#` skipped). */
export function readPromptLines(path: string): PromptItem[] {
  const text = readText(path, 'a text file with one prompt a line');
  const out: PromptItem[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push({ prompt: line, category: null });
  }
  return out;
}

/** The format of a file from its name: .json, .csv, .jsonl(.gz), else plain text. */
export function datasetFormat(path: string): DatasetFormat {
  const p = path.replace(/\.gz$/, '').toLowerCase();
  if (p.endsWith('.jsonl')) return 'jsonl';
  if (p.endsWith('.json')) return 'json';
  if (p.endsWith('.csv')) return 'csv';
  return 'text';
}

/** Reads the prompts of any supported file (JSONL preference pairs give their shared prompts). */
export function readPrompts(path: string): PromptItem[] {
  const format = datasetFormat(path);
  if (format === 'json') return readInstructionJson(path);
  if (format === 'csv') return readCsvColumn(path, 'goal');
  if (format === 'jsonl') return readPreferenceJsonl(path).map((p) => ({ prompt: p.prompt, category: null }));
  return readPromptLines(path);
}
