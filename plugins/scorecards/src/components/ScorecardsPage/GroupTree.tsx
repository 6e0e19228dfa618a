import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { GroupRollupNode } from '@guardrails/plugin-scorecards-common';
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

const useStyles = makeStyles(theme => ({
  name: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  spacer: { width: 30, flexShrink: 0 },
  levels: { minWidth: 240 },
  number: { whiteSpace: 'nowrap' },
  head: { whiteSpace: 'nowrap' },
  action: { whiteSpace: 'nowrap' },
}));

interface Row {
  node: GroupRollupNode;
  depth: number;
  open: boolean;
}

/** The rows the tree shows: the roots open, and below them what the view has expanded. */
export function visibleRows(
  roots: GroupRollupNode[],
  expanded: ReadonlySet<string>,
): Row[] {
  const rows: Row[] = [];
  const walk = (node: GroupRollupNode, depth: number) => {
    const open = depth === 0 || expanded.has(node.ref);
    rows.push({ node, depth, open });
    if (open) node.children.forEach(child => walk(child, depth + 1));
  };
  roots.forEach(root => walk(root, 0));
  return rows;
}

/**
 * The group tree: each group with what it and the groups below it own, what it owns directly,
 * its average score, its level distribution and how many of its entities fail. Deeper groups
 * open on demand; each can become the page's scope.
 */
export function GroupTree(props: {
  roots: GroupRollupNode[];
  levels: string[];
  expanded: string[];
  onToggle: (ref: string, open: boolean) => void;
  onScope: (ref: string) => void;
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const rows = visibleRows(props.roots, new Set(props.expanded));

  return (
    <Table size="small" aria-label={t('page.tree.title')}>
      <TableHead className={classes.head}>
        <TableRow>
          <TableCell>{t('page.tree.group')}</TableCell>
          <TableCell align="right">{t('page.tree.entities')}</TableCell>
          <TableCell align="right">{t('page.tree.own')}</TableCell>
          <TableCell align="right">{t('page.tree.averageScore')}</TableCell>
          <TableCell>{t('page.tree.levels')}</TableCell>
          <TableCell align="right">{t('page.tree.failing')}</TableCell>
          <TableCell>
            <span hidden>{t('page.tree.actions')}</span>
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(({ node, depth, open }) => (
          <TableRow key={node.ref} data-ref={node.ref}>
            <TableCell component="th" scope="row">
              <div className={classes.name} style={{ paddingLeft: depth * 24 }}>
                {depth > 0 && node.children.length > 0 ? (
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
                <span>
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
              </div>
            </TableCell>
            <TableCell align="right" className={classes.number}>
              {node.entities}
            </TableCell>
            <TableCell align="right" className={classes.number}>
              {node.ownEntities}
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
            <TableCell>
              <Button
                size="small"
                className={classes.action}
                onClick={() => props.onScope(node.ref)}
                aria-label={t('page.tree.scopeTo', { group: node.title })}
              >
                {t('page.tree.scope')}
              </Button>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
