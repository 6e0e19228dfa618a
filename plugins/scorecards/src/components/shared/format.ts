import { DateTime } from 'luxon';

/**
 * The first sentence of a markdown text: the first paragraph, cut after its first full stop
 * outside code spans. A paragraph that introduces an example ("...like this:") ends with a
 * full stop instead.
 */
export function firstSentence(markdown: string): string {
  const paragraph = markdown
    .trim()
    .split(/\n\s*\n/)[0]
    .replace(/\s*\n\s*/g, ' ');
  let inCode = false;
  for (let i = 0; i < paragraph.length; i++) {
    const char = paragraph[i];
    if (char === '`') {
      inCode = !inCode;
    } else if (
      !inCode &&
      '.!?'.includes(char) &&
      (i + 1 === paragraph.length || /\s/.test(paragraph[i + 1]))
    ) {
      return paragraph.slice(0, i + 1);
    }
  }
  return paragraph.replace(/[:;,]\s*$/, '.');
}

/** "12 minutes ago", in the reader's language. */
export function relativeTime(iso: string): string {
  return DateTime.fromISO(iso).toRelative() ?? iso;
}

/** "Nov 26, 2026", in the reader's language. */
export function formatDate(iso: string): string {
  const date = DateTime.fromISO(iso);
  return date.isValid ? date.toLocaleString(DateTime.DATE_MED) : iso;
}

/**
 * A day the definitions or a waiver name ("until 2027-03-31"), which the backend stores as a UTC
 * date or the last instant of one: shown as that day wherever the reader is.
 */
export function formatDay(iso: string): string {
  const date = DateTime.fromISO(iso, { zone: 'utc' });
  return date.isValid ? date.toLocaleString(DateTime.DATE_MED) : iso;
}
