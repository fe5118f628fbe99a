/**
 * How a person without a picture is drawn, the same in every element (and in pages, which import
 * these from the package): their initials on a colour of their own.
 */

/** "Mary Ann Lee" → "ML": the first letters of the first and the last word; "?" for a blank name. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const initialWords = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  // Spread by code point, so that a name starting with an emoji or an astral letter keeps it whole.
  return initialWords.map((word) => [...word][0]).join('').toUpperCase() || '?';
}

/** A stable colour per user id, dark enough for white initials on every hue. */
export function avatarColorOf(id: string): string {
  let hash = 0;
  for (const char of id) hash = (Math.imul(hash, 31) + char.codePointAt(0)!) | 0;
  return `hsl(${Math.abs(hash) % 360} 50% 30%)`;
}
