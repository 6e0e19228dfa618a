import type { EntityScoreRow } from '@guardrails/plugin-scorecards-common';

const COLUMNS: Array<[string, (row: EntityScoreRow) => unknown]> = [
  ['entityRef', r => r.entityRef],
  ['title', r => r.title],
  ['kind', r => r.kind],
  ['type', r => r.type],
  ['owner', r => r.ownerRef],
  ['system', r => r.systemRef],
  ['domain', r => r.domainRef],
  ['scorecard', r => r.scorecardId],
  ['level', r => r.level],
  ['score', r => r.score],
  ['failingChecks', r => r.failing.join(' ')],
  ['since', r => r.since],
];

/** A cell as RFC 4180 wants it, and safe to open in a spreadsheet. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  // A leading =, +, - or @ would make spreadsheets evaluate the cell as a formula; so would a
  // tab or carriage return before one, which spreadsheets strip.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line of the drill-down as CSV. */
export function csvHeader(): string {
  return `${COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

/** Drill-down rows as CSV lines, each ended as RFC 4180 wants. */
export function csvLines(rows: EntityScoreRow[]): string {
  return rows
    .map(row => `${COLUMNS.map(([, get]) => cell(get(row))).join(',')}\r\n`)
    .join('');
}
