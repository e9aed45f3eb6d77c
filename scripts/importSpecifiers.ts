/**
 * Every module a TypeScript/JavaScript source names, with its line: static imports and re-exports (type-only
 * ones too: a type from a higher layer is still a wrong-way dependency), dynamic `import()` (also in type
 * positions, `typeof import('./x')`), and worker references `new URL('./x.worker.ts', import.meta.url)`.
 *
 * A small tokenizer rather than regular expressions over the text: comments, strings, template literals and
 * regex literals are skipped as wholes, so an import written inside a comment or a string is not counted and
 * a quote inside a regex does not derail the scan. Used by scripts/checkLayers.ts.
 */

export type ImportKind = 'static' | 're-export' | 'dynamic' | 'worker-url';

export interface ImportSpecifier {
  specifier: string;
  /** 1-based line of the specifier's string. */
  line: number;
  kind: ImportKind;
  /** `import type …` / `export type … from`: erased at build time, still a dependency between layers. */
  typeOnly: boolean;
}

type Token =
  | { type: 'word'; value: string; line: number }
  | { type: 'punct'; value: string; line: number }
  | { type: 'string'; value: string; line: number }
  /** A template literal, a regex or a number: only its place in the stream matters. */
  | { type: 'other'; value: string; line: number };

/** Keywords after which `/` starts a regex rather than dividing. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  // One entry per open `${` of a template literal: the brace depth inside it, so the `}` that closes the
  // substitution resumes the template instead of counting as code.
  const templateDepths: number[] = [];

  const lastToken = (): Token | undefined => tokens[tokens.length - 1];
  const regexMayStart = (): boolean => {
    const prev = lastToken();
    if (prev === undefined) return true;
    if (prev.type === 'word') return REGEX_AFTER_WORD.has(prev.value);
    if (prev.type === 'punct') return prev.value !== ')' && prev.value !== ']' && prev.value !== '}';
    return false;
  };

  /** Scans a template literal's text from i (just after ` or a substitution's }), up to its end or its next `${`. */
  const scanTemplateText = (startLine: number): void => {
    while (i < source.length) {
      const c = source[i];
      if (c === '\\') { if (source[i + 1] === '\n') line++; i += 2; continue; }
      if (c === '\n') line++;
      if (c === '`') { i++; tokens.push({ type: 'other', value: 'template', line: startLine }); return; }
      if (c === '$' && source[i + 1] === '{') { i += 2; templateDepths.push(0); tokens.push({ type: 'other', value: 'template', line: startLine }); return; }
      i++;
    }
  };

  while (i < source.length) {
    const c = source[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (let j = i; j < stop; j++) if (source[j] === '\n') line++;
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      let value = '';
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') { value += source[i + 1] ?? ''; i += 2; continue; }
        value += source[i];
        i++;
      }
      i++;
      tokens.push({ type: 'string', value, line: startLine });
      continue;
    }
    if (c === '`') { i++; scanTemplateText(line); continue; }
    if (c === '/' && regexMayStart()) {
      const startLine = line;
      let inClass = false;
      i++;
      while (i < source.length && source[i] !== '\n') {
        const r = source[i];
        if (r === '\\') { i += 2; continue; }
        if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        i++;
      }
      i++;
      while (i < source.length && /[a-z]/i.test(source[i])) i++; // flags
      tokens.push({ type: 'other', value: 'regex', line: startLine });
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[\w$]/.test(source[j])) j++;
      tokens.push({ type: 'word', value: source.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[\w.]/.test(source[j])) j++;
      tokens.push({ type: 'other', value: 'number', line });
      i = j;
      continue;
    }
    if (templateDepths.length > 0) {
      const top = templateDepths.length - 1;
      if (c === '{') templateDepths[top]++;
      if (c === '}') {
        if (templateDepths[top] === 0) { templateDepths.pop(); i++; scanTemplateText(line); continue; }
        templateDepths[top]--;
      }
    }
    tokens.push({ type: 'punct', value: c, line });
    i++;
  }
  return tokens;
}

const isWord = (t: Token | undefined, value: string): boolean => t?.type === 'word' && t.value === value;
const isPunct = (t: Token | undefined, value: string): boolean => t?.type === 'punct' && t.value === value;

/** The string after `from` in an import or export clause that starts at `start`; null at `;` or another statement. */
function fromClause(tokens: Token[], start: number): { token: Token; end: number } | null {
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k];
    if (isPunct(t, '{')) depth++;
    else if (isPunct(t, '}')) depth--;
    else if (depth === 0 && (isPunct(t, ';') || isWord(t, 'import') || isWord(t, 'export'))) return null;
    else if (depth === 0 && isWord(t, 'from') && tokens[k + 1]?.type === 'string') return { token: tokens[k + 1], end: k + 1 };
  }
  return null;
}

export function importSpecifiers(source: string): ImportSpecifier[] {
  const tokens = tokenize(source);
  const found: ImportSpecifier[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    const prev = tokens[k - 1];
    if (t.type !== 'word' || isPunct(prev, '.')) continue; // `x.import` is a property, not a keyword
    const next = tokens[k + 1];

    if (t.value === 'import') {
      if (isPunct(next, '(') && tokens[k + 2]?.type === 'string') {
        const spec = tokens[k + 2];
        found.push({ specifier: spec.value, line: spec.line, kind: 'dynamic', typeOnly: false });
        continue;
      }
      if (isPunct(next, '.') || isPunct(next, '(')) continue; // import.meta, or import(expression)
      if (next?.type === 'string') {
        found.push({ specifier: next.value, line: next.line, kind: 'static', typeOnly: false });
        continue;
      }
      // `import type X from` imports types only; `import type from 'x'` imports a default named "type".
      const typeOnly = isWord(next, 'type') && !isWord(tokens[k + 2], 'from');
      const clause = fromClause(tokens, k + 1);
      if (clause) {
        found.push({ specifier: clause.token.value, line: clause.token.line, kind: 'static', typeOnly });
        k = clause.end;
      }
      continue;
    }

    if (t.value === 'export') {
      const typeOnly = isWord(next, 'type');
      const head = tokens[typeOnly ? k + 2 : k + 1];
      if (!isPunct(head, '*') && !isPunct(head, '{')) continue; // `export const …`, `export type X = …`
      const clause = fromClause(tokens, typeOnly ? k + 2 : k + 1);
      if (clause) {
        found.push({ specifier: clause.token.value, line: clause.token.line, kind: 're-export', typeOnly });
        k = clause.end;
      }
      continue;
    }

    // new URL('./x.worker.ts', import.meta.url): how Vite finds a worker (or asset) to bundle.
    if (t.value === 'new' && isWord(next, 'URL') && isPunct(tokens[k + 2], '(') && tokens[k + 3]?.type === 'string'
      && isPunct(tokens[k + 4], ',') && isWord(tokens[k + 5], 'import') && isPunct(tokens[k + 6], '.')
      && isWord(tokens[k + 7], 'meta') && isPunct(tokens[k + 8], '.') && isWord(tokens[k + 9], 'url')) {
      const spec = tokens[k + 3];
      found.push({ specifier: spec.value, line: spec.line, kind: 'worker-url', typeOnly: false });
    }
  }
  return found;
}
