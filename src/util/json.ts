import { InputError } from './errors.js';

/**
 * Parses JSON like JSON.parse but refuses duplicate object keys (JSON.parse keeps the last one silently);
 * errors name the file, the JSON path and the position, never quote the file's content.
 */
export function parseJsonStrict(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text ("Unexpected token 'r', "root:x:0:0"... is not valid JSON"): keep the position only.
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    throw new InputError(file, '(file)', `expected valid JSON${where}`);
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) throw new InputError(file, duplicate.path, `expected each key once in an object, got "${duplicate.key}" twice`);
  return value;
}

/** Scans valid JSON text for an object with a repeated key; returns its path and the key, or null. */
function findDuplicateKey(text: string): { path: string; key: string } | null {
  // A small tokenizer over text that JSON.parse already accepted: strings, brackets, colons and commas.
  type Frame = { kind: 'object'; keys: Set<string>; key: string | null; path: string } | { kind: 'array'; index: number; path: string };
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '(root)';
    const base = top.path === '(root)' ? '' : `${top.path}.`;
    return top.kind === 'object' ? `${base}${top.key ?? ''}` : `${base}${top.index}`;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.kind === 'object') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { path: top.path === '(root)' ? key : `${top.path}.${key}`, key };
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ kind: 'object', keys: new Set(), key: null, path: childPath() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ kind: 'array', index: 0, path: childPath() });
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') expectKey = true;
      else if (top?.kind === 'array') top.index++;
    }
  }
  return null;
}

/** Indented JSON with NaN and ±Infinity written as null (what JSON.stringify does for them, said explicitly). */
export function finiteJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
