import type { CallHistoryEntry } from '../../controller/index.js';

/*
 * How <call-history> words an entry. English, as the other elements are; dates, times and lists of
 * names follow the page's language.
 */

const QUALIFIERS: Record<CallHistoryEntry['outcome'], string> = {
  completed: '',
  missed: '',
  declined: 'declined',
  cancelled: 'cancelled',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'failed',
  'answered-elsewhere': 'answered elsewhere',
};

/** "Missed video call", "Outgoing voice call · no answer", "Incoming voice call · dropped". */
export function summaryOf(entry: CallHistoryEntry): string {
  const kind = entry.video ? 'video call' : 'voice call';
  if (entry.outcome === 'missed') return `Missed ${kind}`;
  const base = `${entry.direction === 'incoming' ? 'Incoming' : 'Outgoing'} ${kind}`;
  let qualifier = QUALIFIERS[entry.outcome];
  if (entry.outcome === 'failed' && entry.failureReason === 'unavailable') qualifier = 'unavailable';
  if (entry.outcome === 'failed' && entry.failureReason === 'connection-lost') qualifier = 'could not connect';
  if (entry.outcome === 'completed' && entry.endReason === 'connection-lost') qualifier = 'dropped';
  return qualifier ? `${base} · ${qualifier}` : base;
}

export function listNames(names: string[], locale: string | undefined): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);
}

/** Each unit, its length in seconds, and the age from which the next unit takes over. */
const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number, number]> = [
  ['minute', 60, 3600],
  ['hour', 3600, 86400],
  ['day', 86400, 7 * 86400],
  ['week', 7 * 86400, 30 * 86400],
  ['month', 2629800, 365 * 86400],
  ['year', 31557600, Infinity],
];

/** "now", "5 minutes ago", "yesterday", "3 weeks ago". */
export function relativeTime(then: number, now: number, locale?: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const seconds = (then - now) / 1000;
  if (Math.abs(seconds) < 45) return format.format(0, 'second');
  const [unit, length] = RELATIVE_UNITS.find(([, , upTo]) => Math.abs(seconds) < upTo)!;
  return format.format(Math.round(seconds / length), unit);
}

/** "0:42", "12:05", "1:02:03". */
export function clockDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor(seconds / 60) % 60;
  const ss = String(seconds % 60).padStart(2, '0');
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** "42 seconds", "1 hour 2 minutes": a duration as a screen reader should say it. */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const parts: Array<[number, string]> = [
    [Math.floor(seconds / 3600), 'hour'],
    [Math.floor(seconds / 60) % 60, 'minute'],
    [seconds % 60, 'second'],
  ];
  const said = parts.filter(([count]) => count > 0).map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`);
  return said.length ? said.join(' ') : '0 seconds';
}
