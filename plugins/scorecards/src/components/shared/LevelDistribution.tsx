import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import { scorecardsTranslationRef } from '../../translation';
import { levelColor } from './LevelBadge';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: theme.spacing(1.25),
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.hover,
  },
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0, 1.5),
    margin: theme.spacing(0.5, 0, 0),
    padding: 0,
    listStyle: 'none',
  },
  swatch: {
    display: 'inline-block',
    width: theme.spacing(1),
    height: theme.spacing(1),
    borderRadius: 2,
    marginRight: theme.spacing(0.5),
  },
}));

/**
 * How many entities have reached each level, highest first, as a bar and a legend that names
 * every level with its count, so the bar is never read by colour alone.
 */
export function LevelDistribution(props: {
  /** Level names, lowest first. */
  levels: string[];
  /** Entities per level name; `none` counts those without a level. */
  counts: Record<string, number>;
  /** For a table cell: the legend names only the levels that some entity has. */
  compact?: boolean;
}) {
  const { levels, counts, compact } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  const segments = [
    ...levels
      .map((name, index) => ({
        name,
        color: levelColor(index),
        count: counts[name] ?? 0,
      }))
      .reverse(),
    { name: t('level.none'), color: '#9e9e9e', count: counts.none ?? 0 },
  ];
  const total = segments.reduce((n, s) => n + s.count, 0);
  const label = segments.map(s => `${s.name} ${s.count}`).join(', ');

  return (
    <div>
      <div className={classes.bar} role="img" aria-label={label}>
        {total > 0 &&
          segments
            .filter(s => s.count > 0)
            .map(s => (
              <div
                key={s.name}
                style={{
                  width: `${(100 * s.count) / total}%`,
                  backgroundColor: s.color,
                }}
                title={`${s.name}: ${s.count}`}
              />
            ))}
      </div>
      <ul className={classes.legend} aria-hidden>
        {segments
          .filter(s => !compact || s.count > 0)
          .map(s => (
            <li key={s.name}>
              <Typography variant="caption">
                <span
                  className={classes.swatch}
                  style={{ backgroundColor: s.color }}
                />
                {s.name} {s.count}
              </Typography>
            </li>
          ))}
      </ul>
    </div>
  );
}
