import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  CategoryPassRate,
  GroupRollupNode,
} from '@guardrails/plugin-scorecards-common';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import { makeStyles } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import { scorecardsTranslationRef } from '../../translation';
import { LevelDistribution } from '../shared/LevelDistribution';
import { useSharedStyles } from '../shared/styles';
import { useLabels } from '../shared/useLabels';
import { LoadState } from '../shared/LoadState';
import { heatColor } from './Heatmap';
import type { GroupChildren } from './useGroupChildren';

const useStyles = makeStyles(theme => ({
  table: {
    // Narrower gaps than the theme's, so that eight columns fit a card 1,000 px wide.
    '& th, & td': {
      paddingLeft: theme.spacing(1),
      paddingRight: theme.spacing(1),
    },
    '& th:first-child, & td:first-child': { paddingLeft: theme.spacing(2) },
    '& th:last-child, & td:last-child': { paddingRight: theme.spacing(2) },
    // Odd rows take the theme's stripe; even rows get the paper's colour, so the sticky
    // group names cover the cells scrolling under them.
    '& tbody tr:nth-of-type(even)': {
      backgroundColor: theme.palette.background.paper,
    },
  },
  // The group names stay in view when the table scrolls sideways on a narrow window.
  groupCell: {
    position: 'sticky',
    left: 0,
    zIndex: 1,
    backgroundColor: 'inherit',
    minWidth: 180,
  },
  groupHead: {
    position: 'sticky',
    left: 0,
    zIndex: 1,
    backgroundColor: theme.palette.background.paper,
  },
  name: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  title: { whiteSpace: 'nowrap' },
  // The name, and under it the action that scopes the page to the group.
  titleBlock: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
  },
  spacer: { width: 30, flexShrink: 0 },
  wrap: { overflowX: 'auto' },
  levels: { width: 200, minWidth: 180 },
  number: { whiteSpace: 'nowrap' },
  ownDetail: { whiteSpace: 'normal', minWidth: 88 },
  categories: {
    display: 'grid',
    gridTemplateColumns: 'repeat(2, minmax(max-content, 1fr))',
    gap: theme.spacing(0.25, 1),
    margin: 0,
    padding: 0,
    listStyle: 'none',
    minWidth: 240,
  },
  category: {
    display: 'flex',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    padding: theme.spacing(0, 0.5),
    borderRadius: 2,
    fontSize: theme.typography.caption.fontSize,
    lineHeight: 1.6,
    whiteSpace: 'nowrap',
  },
  rate: {
    fontVariantNumeric: 'tabular-nums',
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  head: { whiteSpace: 'nowrap' },
  // A quiet link-like button: the same on every row, so it should not shout.
  action: {
    whiteSpace: 'nowrap',
    textTransform: 'none',
    fontWeight: theme.typography.fontWeightRegular as number,
    minWidth: 0,
    padding: theme.spacing(0, 0.5),
    marginLeft: theme.spacing(-0.5),
    '&:hover': { textDecoration: 'underline' },
  },
}));

type Row =
  | {
      kind: 'group';
      node: GroupRollupNode;
      depth: number;
      open: boolean;
      expandable: boolean;
    }
  /** Below an open group whose groups are on their way or failed to come. */
  | {
      kind: 'pending';
      parent: GroupRollupNode;
      depth: number;
      state: GroupChildren;
    };

/**
 * The rows the tree shows: the roots open, and below them what the view has expanded. A group's
 * children are in the answer, or (where the backend cut the tree) loaded on demand.
 */
export function visibleRows(
  roots: GroupRollupNode[],
  expanded: ReadonlySet<string>,
  childrenOf: (ref: string) => GroupChildren | undefined,
): Row[] {
  const rows: Row[] = [];
  const walk = (node: GroupRollupNode, depth: number) => {
    const expandable = node.hasChildren ?? node.children.length > 0;
    const open = depth === 0 || expanded.has(node.ref);
    rows.push({ kind: 'group', node, depth, open, expandable });
    if (!open || !expandable) return;
    const state: GroupChildren =
      node.children.length > 0
        ? { groups: node.children }
        : childrenOf(node.ref) ?? { loading: true };
    if ('groups' in state) {
      state.groups.forEach(child => walk(child, depth + 1));
    } else {
      rows.push({ kind: 'pending', parent: node, depth: depth + 1, state });
    }
  };
  roots.forEach(root => walk(root, 0));
  return rows;
}

/**
 * What a group owns directly: how many entities and, apart from its subgroups', their average
 * score and how many fail. Only the count when the backend does not say how they stand.
 */
function OwnCell(props: { node: GroupRollupNode }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const { own, ownEntities } = props.node;
  if (!own) return <>{ownEntities}</>;
  return (
    <>
      {own.entities}
      {own.entities > 0 && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="span"
          display="block"
          className={classes.ownDetail}
        >
          {t('page.tree.ownDetail', {
            score: String(own.averageScore ?? '–'),
            count: own.failing,
          })}
        </Typography>
      )}
    </>
  );
}

/** Pass rate per category as numbers with their names; the colour only repeats the number. */
function CategoryRates(props: { group: string; rates: CategoryPassRate[] }) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const shared = useSharedStyles();
  const labels = useLabels();
  return (
    <ul
      className={classes.categories}
      aria-label={t('page.tree.categoriesOf', { group: props.group })}
    >
      {props.rates.map(rate => (
        <li
          key={rate.category}
          className={classes.category}
          style={heatColor(rate.passRate)}
          title={t('page.tree.categoryCounts', {
            pass: String(rate.pass),
            fail: String(rate.fail),
          })}
        >
          <span>{labels.category(rate.category)}</span>
          {rate.passRate === null ? (
            <span className={classes.rate}>
              <span aria-hidden>–</span>
              <span className={shared.srOnly}>
                {t('page.tree.nothingCounted')}
              </span>
            </span>
          ) : (
            <span className={classes.rate}>{`${rate.passRate}%`}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * The group tree: each group with what it and the groups below it own, what it owns directly
 * (with how that stands apart from its subgroups), its average score, its level distribution,
 * how many of its entities fail, and its pass rate per category. Deeper groups open on demand;
 * each can become the page's scope. A backend that does not give what a group owns directly or
 * its categories yet leaves those out.
 */
export function GroupTree(props: {
  roots: GroupRollupNode[];
  levels: string[];
  expanded: string[];
  /** The groups below an expanded group that the roots' answer left out, as they load. */
  childrenOf: (ref: string) => GroupChildren | undefined;
  onToggle: (ref: string, open: boolean) => void;
  onScope: (ref: string) => void;
  /** Asks again for the groups below a group whose groups failed to load. */
  onRetry: (ref: string) => void;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const rows = visibleRows(
    props.roots,
    new Set(props.expanded),
    props.childrenOf,
  );
  // Absent from an older backend's answer, whatever the types say.
  const hasCategories = rows.some(
    row => row.kind === 'group' && row.node.categories !== undefined,
  );

  return (
    <div className={classes.wrap}>
      <Table
        size="small"
        className={classes.table}
        aria-label={t('page.tree.title')}
      >
        <TableHead className={classes.head}>
          <TableRow>
            <TableCell className={classes.groupHead}>
              {t('page.tree.group')}
            </TableCell>
            <TableCell align="right">{t('page.tree.entities')}</TableCell>
            <TableCell align="right">{t('page.tree.own')}</TableCell>
            <TableCell align="right">{t('page.tree.averageScore')}</TableCell>
            <TableCell>{t('page.tree.levels')}</TableCell>
            <TableCell align="right">{t('page.tree.failing')}</TableCell>
            {hasCategories && (
              <TableCell>{t('page.tree.categories')}</TableCell>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => {
            if (row.kind === 'pending') {
              return (
                <TableRow key={`${row.parent.ref} children`}>
                  <TableCell colSpan={hasCategories ? 7 : 6}>
                    <div style={{ paddingLeft: row.depth * 24 }}>
                      <LoadState
                        what={t('page.tree.groupsIn', {
                          group: row.parent.title,
                        })}
                        loading={'loading' in row.state}
                        error={
                          'error' in row.state ? row.state.error : undefined
                        }
                        hasValue={false}
                        retry={() => props.onRetry(row.parent.ref)}
                      />
                    </div>
                  </TableCell>
                </TableRow>
              );
            }
            const { node, depth, open } = row;
            return (
              <TableRow key={node.ref} data-ref={node.ref}>
                <TableCell
                  component="th"
                  scope="row"
                  className={classes.groupCell}
                >
                  <div
                    className={classes.name}
                    style={{ paddingLeft: depth * 24 }}
                  >
                    {depth > 0 && row.expandable ? (
                      <IconButton
                        size="small"
                        aria-expanded={open}
                        aria-label={t(
                          open ? 'page.tree.collapse' : 'page.tree.expand',
                          {
                            group: node.title,
                          },
                        )}
                        onClick={() => props.onToggle(node.ref, !open)}
                      >
                        {open ? <ExpandMoreIcon /> : <ChevronRightIcon />}
                      </IconButton>
                    ) : (
                      <span className={classes.spacer} />
                    )}
                    <div className={classes.titleBlock}>
                      <span className={classes.title}>
                        <Typography variant="body2" component="span">
                          {node.title}
                        </Typography>
                        {node.type && (
                          <Typography
                            variant="caption"
                            color="textSecondary"
                            component="span"
                          >
                            {' · '}
                            {node.type}
                          </Typography>
                        )}
                      </span>
                      <Button
                        size="small"
                        color="primary"
                        className={classes.action}
                        onClick={() => props.onScope(node.ref)}
                        aria-label={t('page.tree.scopeTo', {
                          group: node.title,
                        })}
                      >
                        {t('page.tree.scope')}
                      </Button>
                    </div>
                  </div>
                </TableCell>
                <TableCell align="right" className={classes.number}>
                  {node.entities}
                </TableCell>
                <TableCell align="right" className={classes.number}>
                  <OwnCell node={node} />
                </TableCell>
                <TableCell align="right" className={classes.number}>
                  {node.averageScore ?? '–'}
                </TableCell>
                <TableCell className={classes.levels}>
                  <LevelDistribution
                    levels={props.levels}
                    counts={node.levels}
                    compact
                  />
                </TableCell>
                <TableCell align="right" className={classes.number}>
                  {node.failing}
                </TableCell>
                {hasCategories && (
                  <TableCell>
                    {node.categories ? (
                      <CategoryRates
                        group={node.title}
                        rates={node.categories}
                      />
                    ) : (
                      <Typography variant="caption" color="textSecondary">
                        {t('page.tree.notAvailable')}
                      </Typography>
                    )}
                  </TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
