import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { CheckRollupRow } from '@guardrails/plugin-scorecards-common';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { makeStyles } from '@material-ui/core/styles';
import { scorecardsTranslationRef } from '../../translation';
import { useLabels } from '../shared/useLabels';

const useStyles = makeStyles({
  nowrap: { whiteSpace: 'nowrap' },
});

/** Share of counted results (pass, waived, fail, error) that pass or are waived, 0-100. */
export function passRate(row: CheckRollupRow): number | null {
  const good = row.counts.pass + row.counts.waived;
  const counted = good + row.counts.fail + row.counts.error;
  return counted ? Math.round((good / counted) * 1000) / 10 : null;
}

/**
 * Every check of the scorecard in the scope, the most failed first: how many entities pass
 * and fail it, its pass rate, and a way to list the entities failing it.
 */
export function ChecksTable(props: {
  rows: CheckRollupRow[];
  onShowFailing: (checkId: string) => void;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const labels = useLabels();
  const classes = useStyles();
  const rows = [...props.rows].sort(
    (a, b) => b.failing - a.failing || a.title.localeCompare(b.title),
  );
  return (
    <Table size="small" aria-label={t('page.checks.title')}>
      <TableHead className={classes.nowrap}>
        <TableRow>
          <TableCell>{t('page.checks.check')}</TableCell>
          <TableCell>{t('page.checks.category')}</TableCell>
          <TableCell>{t('page.checks.severity')}</TableCell>
          <TableCell align="right">{t('page.checks.passing')}</TableCell>
          <TableCell align="right">{t('page.checks.failing')}</TableCell>
          <TableCell align="right">{t('page.checks.passRate')}</TableCell>
          <TableCell>
            <span hidden>{t('page.tree.actions')}</span>
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(row => {
          const rate = passRate(row);
          return (
            <TableRow key={row.checkId} data-check={row.checkId}>
              <TableCell component="th" scope="row">
                {row.title}
              </TableCell>
              <TableCell className={classes.nowrap}>
                {labels.category(row.category)}
              </TableCell>
              <TableCell className={classes.nowrap}>
                {labels.severity(row.severity)}
              </TableCell>
              <TableCell align="right">
                {row.counts.pass + row.counts.waived}
              </TableCell>
              <TableCell align="right">{row.failing}</TableCell>
              <TableCell align="right">
                {rate === null ? '–' : `${rate}%`}
              </TableCell>
              <TableCell>
                {row.failing > 0 && (
                  <Button
                    size="small"
                    className={classes.nowrap}
                    onClick={() => props.onShowFailing(row.checkId)}
                    aria-label={t('page.checks.showFailingOf', {
                      check: row.title,
                      count: row.failing,
                    })}
                  >
                    {t('page.checks.showFailing')}
                  </Button>
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
