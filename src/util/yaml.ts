// YAML input files: one document, unique keys, and every parser error or warning as one InputError line.
import { parseDocument } from 'yaml';
import { InputError } from './errors.js';

/** Line and column (1-based) of a character offset in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** Deepest nesting `parseYamlStrict` accepts (flow brackets, or block indentation plus `- ` items on one line). */
export const YAML_MAX_DEPTH = 200;

/**
 * An upper estimate of the nesting depth of YAML text, by one pass over the characters: the depth of `[`/`{`
 * outside quoted scalars, and for each line its indentation plus its leading `- `/`? ` indicators. The yaml
 * library composes recursively, and very deep input can end the process (V8 aborts when a regular expression
 * is compiled near the stack limit), so such text is refused before it is parsed.
 */
export function yamlDepthEstimate(text: string): number {
  let deepest = 0;
  let flow = 0;
  let lineStart = true;
  let lineDepth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      lineStart = true;
      lineDepth = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '\t') {
        lineDepth++;
        continue;
      }
      if ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
        lineDepth += 2;
        i++;
        continue;
      }
      lineStart = false;
    }
    if (c === '[' || c === '{') flow++;
    else if ((c === ']' || c === '}') && flow > 0) flow--;
    else if ((c === '"' || c === "'") && /[\s[{,:]/.test(text[i - 1] ?? ' ')) {
      // Skip a quoted scalar ("" with backslash escapes, '' with '' as the escaped quote).
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += c === '"' && text[j] === '\\' ? 2 : 1;
      i = j;
    }
    deepest = Math.max(deepest, flow + lineDepth);
  }
  return deepest;
}

/** A parser message cut to one short line (the yaml library sometimes quotes a token of the file). */
function oneLine(message: string): string {
  const first = message.split('\n')[0].trim();
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/**
 * Parses YAML text into plain values. Errors and warnings (unresolved tags, ambiguous aliases, duplicate keys,
 * several documents, too many aliases) become one InputError on `file`, field `(file)`, with line and column;
 * nothing is printed to stderr (the yaml library would otherwise emit warnings through process.emitWarning).
 */
export function parseYamlStrict(text: string, file: string): unknown {
  const depth = yamlDepthEstimate(text);
  if (depth > YAML_MAX_DEPTH) throw new InputError(file, '(file)', `expected YAML nested at most ${YAML_MAX_DEPTH} deep, got about ${depth} levels`);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    // A nesting too deep for the stack ends here as a RangeError.
    throw new InputError(file, '(file)', `expected well-formed YAML: ${oneLine((err as Error).message)}`);
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const { line, column } = lineColumn(text, problem.pos[0]);
    const kind = doc.errors.length > 0 ? '' : ' (a YAML warning, refused)';
    throw new InputError(file, '(file)', `expected well-formed YAML: ${oneLine(problem.message)}${kind} at line ${line}, column ${column}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // Unresolved or excessive aliases are found here.
    throw new InputError(file, '(file)', `expected well-formed YAML: ${oneLine((err as Error).message)}`);
  }
}
