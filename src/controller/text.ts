/**
 * Text that other people's pages wrote (names, conversation titles) as one line of plain text:
 * control characters (line breaks, tabs) and the bidirectional overrides and isolates, which could
 * make a name read backwards or spill over what follows it, become spaces; runs of white space one
 * space. It is still shown as text only, never as markup.
 */
export function toOneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "Video call · Design team": the kind of call, and where, when the caller's page said. */
export function describeCall(call: { video: boolean; conversationTitle: string | null }): string {
  const kind = call.video ? 'Video call' : 'Voice call';
  return call.conversationTitle ? `${kind} · ${call.conversationTitle}` : kind;
}
