import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  HeatmapCell,
  HeatmapResponse,
} from '@guardrails/plugin-scorecards-common';
import ButtonBase from '@material-ui/core/ButtonBase';
import { makeStyles } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef, useState } from 'react';
import { scorecardsTranslationRef } from '../../translation';
import { useSharedStyles } from '../shared/styles';

const useStyles = makeStyles(theme => ({
  wrap: {
    overflowX: 'auto',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: 2,
    },
  },
  hint: { display: 'block', marginBottom: theme.spacing(1) },
  table: {
    width: 'auto',
    // Odd rows take the theme's stripe; even rows get the paper's colour, so the sticky
    // row names cover the cells scrolling under them.
    '& tbody tr:nth-of-type(even)': {
      backgroundColor: theme.palette.background.paper,
    },
  },
  head: {
    verticalAlign: 'bottom',
    minWidth: 72,
    maxWidth: 112,
    padding: theme.spacing(1, 0.5),
    fontSize: theme.typography.caption.fontSize,
    lineHeight: 1.3,
    wordBreak: 'normal',
    overflowWrap: 'normal',
    hyphens: 'auto',
  },
  cell: { padding: 2 },
  button: {
    width: '100%',
    minWidth: 64,
    padding: theme.spacing(1, 0.5),
    borderRadius: 4,
    display: 'block',
    textAlign: 'center',
    fontVariantNumeric: 'tabular-nums',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
    },
  },
  // The row names stay in view while the columns scroll sideways.
  sticky: {
    position: 'sticky',
    left: 0,
    zIndex: 1,
    backgroundColor: 'inherit',
    whiteSpace: 'nowrap',
    boxShadow: `inset -1px 0 0 ${theme.palette.divider}`,
  },
  cornerHead: { backgroundColor: theme.palette.background.paper },
}));

/** Whether the element's content is wider than the element, kept up to date as it resizes. */
function useOverflowsSideways(content: unknown) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () =>
      setOverflows(element.scrollWidth > element.clientWidth + 1);
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, [content]);
  return { ref, overflows };
}

/** The background of a cell by its pass rate: red below half, amber to 80%, green above. */
export function heatColor(passRate: number | null): {
  background: string;
  color: string;
} {
  if (passRate === null) return { background: '#f5f5f5', color: '#424242' };
  if (passRate < 50) return { background: '#fbd3d0', color: '#7f1d1d' };
  if (passRate < 80) return { background: '#fde8c4', color: '#6b3d00' };
  return { background: '#cdebd3', color: '#14532d' };
}

/**
 * The scope's child groups (a Domain's Systems) against the checks or categories: each cell
 * says its pass rate as a number (the colour only repeats it) and opens the drill-down of the
 * row's entities failing that check.
 */
export function Heatmap(props: {
  heatmap: HeatmapResponse;
  onOpen: (row: string, cell: HeatmapCell) => void;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const shared = useSharedStyles();
  const { heatmap } = props;
  const scroll = useOverflowsSideways(heatmap);
  if (heatmap.rows.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        {t('page.heatmap.empty')}
      </Typography>
    );
  }
  return (
    <>
      {scroll.overflows && (
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.hint}
        >
          {t('page.heatmap.scrollHint', { count: heatmap.columns.length })}
        </Typography>
      )}
      <div
        ref={scroll.ref}
        className={classes.wrap}
        role="region"
        aria-label={t('page.heatmap.region')}
        // A region that scrolls must be reachable from the keyboard to be scrolled by it.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={scroll.overflows ? 0 : undefined}
      >
        <Table
          size="small"
          className={classes.table}
          aria-label={t('page.heatmap.title')}
        >
          <TableHead>
            <TableRow>
              <TableCell className={`${classes.sticky} ${classes.cornerHead}`}>
                {t('page.heatmap.row')}
              </TableCell>
              {heatmap.columns.map(column => (
                <TableCell
                  key={column.id}
                  className={classes.head}
                  align="center"
                >
                  {column.title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {heatmap.rows.map(row => (
              <TableRow key={row.ref} data-ref={row.ref}>
                <TableCell
                  component="th"
                  scope="row"
                  className={classes.sticky}
                >
                  <Typography variant="body2">{row.title}</Typography>
                  <Typography variant="caption" color="textSecondary">
                    {t('page.heatmap.entities', { count: row.entities })}
                  </Typography>
                </TableCell>
                {row.cells.map((cell, index) => {
                  const column = heatmap.columns[index];
                  const label = t(
                    cell.passRate === null
                      ? 'page.heatmap.cellNone'
                      : 'page.heatmap.cell',
                    {
                      row: row.title,
                      column: column.title,
                      pass: String(cell.pass),
                      fail: String(cell.fail),
                    },
                  );
                  return (
                    <TableCell
                      key={cell.column}
                      className={classes.cell}
                      data-column={cell.column}
                    >
                      <ButtonBase
                        className={classes.button}
                        style={heatColor(cell.passRate)}
                        title={label}
                        disabled={cell.entities === 0}
                        onClick={() => props.onOpen(row.ref, cell)}
                      >
                        <Typography variant="body2" component="span">
                          {cell.passRate === null ? '–' : `${cell.passRate}%`}
                        </Typography>
                        <span className={shared.srOnly}>{label}</span>
                        {cell.fail > 0 && (
                          <Typography
                            variant="caption"
                            component="span"
                            display="block"
                          >
                            {t('page.heatmap.failing', { count: cell.fail })}
                          </Typography>
                        )}
                      </ButtonBase>
                    </TableCell>
                  );
                })}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </>
  );
}
