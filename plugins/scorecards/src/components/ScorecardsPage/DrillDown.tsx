import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { CheckRollupRow } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import { makeStyles } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import IconButton from '@material-ui/core/IconButton';
import ChevronLeftIcon from '@material-ui/icons/ChevronLeft';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';
import GetAppIcon from '@material-ui/icons/GetApp';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useDebounce from 'react-use/esm/useDebounce';
import { scorecardsApiRef } from '../../api';
import { scorecardsTranslationRef } from '../../translation';
import { LevelBadge } from '../shared/LevelBadge';
import { StateMessage } from '../shared/StateMessage';
import { errorMessage } from '../shared/ScorecardGate';
import { formatDate } from '../shared/format';
import { LoadState } from '../shared/LoadState';
import type { View, ViewChange } from './useView';

/** Entities per page of the drill-down. */
export const PAGE_SIZE = 25;

/** How many of an entity's failing checks its row names. */
const FAILING_NAMED = 3;

const SORTS = ['name', 'level', 'score', 'failing', 'since'] as const;

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  filter: { minWidth: 150 },
  search: { minWidth: 220 },
  nowrap: { whiteSpace: 'nowrap' },
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(1),
  },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    flexWrap: 'wrap',
  },
}));

/** Saves a text as a file the browser downloads. */
function download(name: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/**
 * The drill-down: the scope's entities with their level, score and failing checks, filtered,
 * sorted and paged on the server, and the whole filtered set as CSV.
 */
export function DrillDown(props: {
  view: View;
  change: (change: ViewChange) => void;
  scorecardId: string;
  levels: string[];
  checks: CheckRollupRow[];
}) {
  const { view, change } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const api = useApi(scorecardsApiRef);
  const identityApi = useApi(identityApiRef);
  // The groups the reader belongs to, for "My teams".
  const teams = useAsync(
    async () =>
      (await identityApi.getBackstageIdentity()).ownershipEntityRefs.filter(
        ref => ref.toLocaleLowerCase('en-US').startsWith('group:'),
      ),
    [identityApi],
  );
  const filters = {
    scorecard: view.scorecard,
    scope: view.scope,
    kind: view.kind,
    type: view.type,
    lifecycle: view.lifecycle,
    owner: view.owner.length > 0 ? view.owner : undefined,
    system: view.system,
    level: view.level,
    failingCheck: view.check,
    q: view.q,
    sort: view.sort,
  };
  const state = useAsyncRetry(
    () =>
      api.getEntities({ ...filters, cursor: view.cursor, pageSize: PAGE_SIZE }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, JSON.stringify(filters), view.cursor],
  );
  const [csv, exportCsv] = useAsyncFn(async () => {
    download(
      `scorecards-${props.scorecardId}.csv`,
      await api.getEntitiesCsv(filters),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, JSON.stringify(filters), props.scorecardId]);

  // The search box writes to the URL once typing pauses.
  const [q, setQ] = useState(view.q ?? '');
  useEffect(() => setQ(view.q ?? ''), [view.q]);
  useDebounce(() => q !== (view.q ?? '') && change({ q }), 250, [q]);

  const myTeams = teams.value ?? [];
  const mine =
    myTeams.length > 0 &&
    view.owner.length === myTeams.length &&
    myTeams.every(ref => view.owner.includes(ref));
  const checkTitles = new Map(props.checks.map(c => [c.checkId, c.title]));
  const sortField = view.sort.replace(/^-/, '');
  const descending = view.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const page = state.value;
  const filtered =
    view.owner.length > 0 ||
    [
      view.kind,
      view.type,
      view.lifecycle,
      view.system,
      view.level,
      view.check,
      view.q,
    ].some(Boolean);

  const select = (
    key: 'level' | 'check',
    label: string,
    options: Array<{ value: string; label: string }>,
  ) => (
    <TextField
      select
      id={`scorecards-filter-${key}`}
      label={label}
      value={view[key] ?? ''}
      onChange={e => change({ [key]: e.target.value })}
      className={classes.filter}
      SelectProps={{ displayEmpty: true }}
      InputLabelProps={{ shrink: true }}
    >
      <MenuItem value="">{t('page.drill.any')}</MenuItem>
      {options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
  const text = (
    key: 'kind' | 'type' | 'lifecycle' | 'system',
    label: string,
  ) => (
    <TextField
      id={`scorecards-filter-${key}`}
      label={label}
      defaultValue={view[key] ?? ''}
      key={`${key}-${view[key] ?? ''}`}
      className={classes.filter}
      placeholder={t('page.drill.any')}
      InputLabelProps={{ shrink: true }}
      onBlur={e => change({ [key]: e.target.value.trim() })}
      onKeyDown={e => {
        if (e.key === 'Enter') {
          change({ [key]: (e.target as HTMLInputElement).value.trim() });
        }
      }}
    />
  );

  return (
    <div>
      <div className={classes.filters} role="search">
        <TextField
          id="scorecards-filter-q"
          label={t('page.drill.search')}
          value={q}
          onChange={e => setQ(e.target.value)}
          className={classes.search}
          InputProps={{ startAdornment: <SearchIcon color="action" /> }}
          InputLabelProps={{ shrink: true }}
        />
        {text('kind', t('page.drill.kind'))}
        {text('type', t('page.drill.type'))}
        {text('lifecycle', t('page.drill.lifecycle'))}
        {text('system', t('page.drill.system'))}
        {myTeams.length > 0 && (
          <Button
            size="small"
            variant={mine ? 'contained' : 'outlined'}
            aria-pressed={mine}
            onClick={() => change({ owner: mine ? undefined : myTeams })}
          >
            {t('page.drill.myTeams')}
          </Button>
        )}
        {select('level', t('page.drill.level'), [
          ...[...props.levels].reverse().map(l => ({ value: l, label: l })),
          { value: 'none', label: t('level.none') },
        ])}
        {select(
          'check',
          t('page.drill.failingCheck'),
          props.checks.map(c => ({ value: c.checkId, label: c.title })),
        )}
        {filtered && (
          <Button
            size="small"
            onClick={() =>
              change({
                kind: undefined,
                type: undefined,
                lifecycle: undefined,
                owner: undefined,
                system: undefined,
                level: undefined,
                check: undefined,
                q: undefined,
              })
            }
          >
            {t('page.drill.clear')}
          </Button>
        )}
      </div>
      {view.check && (
        <Typography variant="body2" component="div">
          {t('page.drill.onlyFailing', {
            check: checkTitles.get(view.check) ?? view.check,
          })}{' '}
          <Button size="small" onClick={() => change({ check: undefined })}>
            {t('page.drill.showAll')}
          </Button>
        </Typography>
      )}
      <div className={classes.toolbar}>
        <Typography variant="body2" role="status">
          {page && t('page.drill.total', { count: page.total })}
        </Typography>
        <Button
          size="small"
          variant="outlined"
          startIcon={<GetAppIcon />}
          onClick={exportCsv}
          disabled={csv.loading || !page || page.total === 0}
        >
          {csv.loading ? t('page.drill.exporting') : t('page.drill.export')}
        </Button>
      </div>
      {csv.error && (
        <Typography variant="body2" color="error" role="alert">
          {t('page.drill.exportError', { message: errorMessage(csv.error) })}
        </Typography>
      )}
      <LoadState
        what={t('page.drill.what')}
        loading={state.loading}
        error={state.error}
        hasValue={!!page}
        retry={state.retry}
      />
      {page && !state.error && page.total === 0 && (
        <StateMessage
          icon={<SearchIcon color="disabled" />}
          title={
            filtered ? t('page.drill.noMatchTitle') : t('page.drill.emptyTitle')
          }
          description={
            filtered
              ? t('page.drill.noMatchDescription')
              : t('page.drill.emptyDescription')
          }
        />
      )}
      {page && !state.error && page.total > 0 && (
        <Box aria-busy={state.loading}>
          <Table size="small" aria-label={t('page.drill.title')}>
            <TableHead className={classes.nowrap}>
              <TableRow>
                {(
                  [
                    ['name', t('page.drill.entity')],
                    [undefined, t('page.drill.owner')],
                    ['level', t('page.drill.levelColumn')],
                    ['score', t('score.label')],
                    ['failing', t('page.drill.failingColumn')],
                    ['since', t('page.drill.since')],
                  ] as const
                ).map(([field, label]) => (
                  <TableCell
                    key={label}
                    align={field === 'score' ? 'right' : 'left'}
                    sortDirection={field === sortField && direction}
                  >
                    {field && (SORTS as readonly string[]).includes(field) ? (
                      <TableSortLabel
                        active={field === sortField}
                        direction={
                          field === sortField && descending ? 'desc' : 'asc'
                        }
                        onClick={() =>
                          change({
                            sort:
                              field === sortField && !descending
                                ? `-${field}`
                                : field,
                          })
                        }
                      >
                        {label}
                      </TableSortLabel>
                    ) : (
                      label
                    )}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {page.items.map(row => (
                <TableRow key={row.entityRef} data-ref={row.entityRef}>
                  <TableCell component="th" scope="row">
                    <EntityRefLink
                      entityRef={row.entityRef}
                      title={row.title}
                    />
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      component="div"
                    >
                      {[row.kind, row.type, row.lifecycle]
                        .filter(Boolean)
                        .join(' · ')}
                    </Typography>
                  </TableCell>
                  <TableCell>
                    {row.ownerRef ? (
                      <EntityRefLink entityRef={row.ownerRef} />
                    ) : (
                      t('page.drill.noOwner')
                    )}
                  </TableCell>
                  <TableCell className={classes.nowrap}>
                    <LevelBadge
                      level={row.level}
                      levelIndex={row.levelIndex}
                      size="small"
                    />
                  </TableCell>
                  <TableCell align="right">{row.score}</TableCell>
                  <TableCell>
                    <Typography variant="body2">
                      {row.failing.length}
                    </Typography>
                    {row.failing.length > 0 && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="div"
                      >
                        {row.failing
                          .slice(0, FAILING_NAMED)
                          .map(id => checkTitles.get(id) ?? id)
                          .join(', ')}
                        {row.failing.length > FAILING_NAMED &&
                          ` ${t('page.drill.andMore', {
                            count: row.failing.length - FAILING_NAMED,
                          })}`}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell className={classes.nowrap}>
                    {formatDate(row.since)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className={classes.pager}>
            <Typography variant="body2">
              {t('page.drill.range', {
                from: String((view.page - 1) * PAGE_SIZE + 1),
                to: String((view.page - 1) * PAGE_SIZE + page.items.length),
                total: String(page.total),
              })}
            </Typography>
            <IconButton
              aria-label={t('page.drill.previous')}
              disabled={!page.prevCursor}
              onClick={() =>
                change({ page: view.page - 1, cursor: page.prevCursor })
              }
            >
              <ChevronLeftIcon />
            </IconButton>
            <IconButton
              aria-label={t('page.drill.next')}
              disabled={!page.nextCursor}
              onClick={() =>
                change({ page: view.page + 1, cursor: page.nextCursor })
              }
            >
              <ChevronRightIcon />
            </IconButton>
          </div>
        </Box>
      )}
    </div>
  );
}
