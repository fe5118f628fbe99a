/**
 * One presenter at a time: a new share takes over from the one before it. Every participant keeps a
 * share clock, raised past every share it hears of; a new share takes the next value. Two shares
 * started at once (neither had heard of the other) carry the same value, and the larger user id
 * wins: everyone compares the same pair, so exactly one share stays, whoever learns first.
 */
export interface ShareStamp {
  clock: number;
  userId: string;
}

/** Whether share `a` comes after share `b`, and so takes over from it. */
export function isLaterShare(a: ShareStamp, b: ShareStamp): boolean {
  return a.clock !== b.clock ? a.clock > b.clock : a.userId > b.userId;
}
