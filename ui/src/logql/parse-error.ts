/** The position in a server error: `parse error at line L, col C: message` (src/errors.ts). */

export interface ParseErrorPosition {
  line: number;
  col: number;
  /** The text after the position. */
  message: string;
  /** Offset of the position in the query (clamped to its length). */
  offset: number;
}

const RE = /parse error at line (\d+), col (\d+): ([\s\S]*)$/;

/** Locates a parse error in `query`, or undefined when `message` is not a parse error. */
export function parseErrorPosition(message: string, query: string): ParseErrorPosition | undefined {
  const m = RE.exec(message.trim());
  if (!m) return undefined;
  const line = Number(m[1]);
  const col = Number(m[2]);
  const lines = query.split('\n');
  let offset = 0;
  for (let l = 0; l < line - 1 && l < lines.length; l++) offset += lines[l].length + 1;
  offset = Math.min(query.length, offset + col - 1);
  return { line, col, message: m[3].trim(), offset };
}
