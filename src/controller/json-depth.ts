/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, found by one pass over the
 * text (brackets inside strings do not count). Parsing is linear in the text's size, but deep
 * nesting costs far more per byte: 80 KB of `[` took Chromium's JSON.parse 35 ms, and a deeply
 * nested value breaks recursive code after it (the `peer` server's JSON.stringify). So text is
 * checked before it is parsed; meshcall's own messages nest 4 deep at most.
 */
export function exceedsJsonDepth(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i += 1; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b || code === 0x7b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === 0x5d || code === 0x7d) {
      depth -= 1;
    }
  }
  return false;
}
