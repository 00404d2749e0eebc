/**
 * Reading JSON files (journeys, events and profiles): a byte-order mark before the text is not
 * part of it, and where a file stops being JSON is said as a line and column: JSON.parse gives a character
 * offset for some errors and none for others ("Unexpected token '}', ... is not valid JSON"), so
 * a small scanner finds the first offending character itself.
 */

/** Offset of the first character that makes `text` invalid JSON, or undefined if it is valid (or too deep to scan). */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new JsonStop(i);
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) throw new JsonStop(i);
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else throw new JsonStop(i);
      } else if (c.charCodeAt(0) < 0x20) throw new JsonStop(i);
      else i++;
    }
  };
  const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{' || c === '[') {
      container(c === '{' ? '}' : ']', c === '{');
      return;
    }
    if (c === '"') {
      string();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) throw new JsonStop(i);
    i += m[0].length;
  };
  const container = (close: string, keyed: boolean) => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (keyed) {
        space();
        if (text[i] !== '"') throw new JsonStop(i);
        string();
        space();
        if (text[i] !== ':') throw new JsonStop(i);
        i++;
      }
      value();
      space();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else throw new JsonStop(i);
    }
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (err) {
    if (err instanceof JsonStop) return err.offset;
    if (err instanceof RangeError) return undefined; // nested deeper than the stack: no position
    throw err;
  }
}

class JsonStop {
  constructor(readonly offset: number) {}
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** JSON.parse's message without the offset or the quoted text it may add (the line and column replace them). */
export function jsonErrorDetail(message: string): string {
  return message
    .replace(/ in JSON at position \d+( \(line \d+ column \d+\))?$/, '')
    .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
}

/** Why a file's text is not JSON, with the line and column where it stops being JSON when known. */
export function notJson(text: string, err: Error): string {
  return whereNotJson(text, err).message;
}

/** Why a file's text is not JSON, and the line where it stops being JSON when that is known. */
export function whereNotJson(text: string, err: Error): { line?: number; message: string } {
  if (err.name !== 'SyntaxError') return { message: `cannot read the file: ${err.message}` };
  // JSON.parse's own position and words when it gives a position; else where the scanner stops.
  const given = /at position (\d+)/.exec(err.message);
  const offset = given ? Number(given[1]) : jsonErrorOffset(text);
  if (offset === undefined) return { message: `not valid JSON: ${jsonErrorDetail(err.message)}` };
  const { line, column } = lineAndColumn(text, offset);
  const detail = given
    ? jsonErrorDetail(err.message)
    : offset >= text.length
      ? 'the file ends before the JSON does'
      : `unexpected ${JSON.stringify(text[offset])}`;
  return { line, message: `not valid JSON at line ${line}, column ${column}: ${detail}` };
}

/**
 * Where each element of a top-level JSON array starts (offsets into `text`), for problems named by
 * the line an element is on rather than by its index. The text is valid JSON (it was parsed).
 */
export function arrayElementOffsets(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expecting = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') continue;
    if (expecting && c !== ']') {
      starts.push(i);
      expecting = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1 && c === '[') expecting = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expecting = true;
  }
  return starts;
}

/** The 1-based line of each offset (given in ascending order), in one pass over the text. */
export function linesAt(text: string, offsets: number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let from = 0;
  for (const offset of offsets) {
    for (let nl = text.indexOf('\n', from); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) line++;
    from = offset;
    lines.push(line);
  }
  return lines;
}

/** A text without the byte-order mark some editors (on Windows) write before it. */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** How many bytes of a UTF-8 byte-order mark a file's first bytes start with: 3 or 0. */
export function bomBytes(start: Uint8Array): number {
  return start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf ? 3 : 0;
}
