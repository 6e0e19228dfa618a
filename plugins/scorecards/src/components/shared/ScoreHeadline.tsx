import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { ScorecardView } from '@guardrails/plugin-scorecards-common';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';
import { scorecardsTranslationRef } from '../../translation';
import { LevelBadge } from './LevelBadge';

const useStyles = makeStyles(theme => ({
  headline: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2, 3),
  },
}));

/** The level reached and the score, side by side, with anything else to say beside them. */
export function ScoreHeadline(props: {
  scorecard: ScorecardView;
  children?: ReactNode;
}) {
  const { scorecard } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles();
  return (
    <div className={classes.headline}>
      <LevelBadge
        level={scorecard.level}
        levelIndex={scorecard.levelIndex}
        size="large"
      />
      <Box>
        <Typography variant="caption" color="textSecondary" component="p">
          {t('score.label')}
        </Typography>
        <Typography variant="h6" component="p">
          {t('score.value', { score: String(scorecard.score) })}
        </Typography>
      </Box>
      {props.children}
    </div>
  );
}

/** What the next level still needs, by check title, or that the top level is reached. */
export function NextLevel(props: { scorecard: ScorecardView }) {
  const { scorecard } = props;
  const { t } = useTranslationRef(scorecardsTranslationRef);
  if (!scorecard.nextLevel) {
    return <Typography variant="body2">{t('card.topLevel')}</Typography>;
  }
  const titles = new Map(scorecard.checks.map(c => [c.checkId, c.title]));
  return (
    <Typography variant="body2">
      <strong>
        {t('card.nextLevel', { level: scorecard.nextLevel.name })}
      </strong>{' '}
      {scorecard.nextLevel.blockedBy.map(id => titles.get(id) ?? id).join(', ')}
    </Typography>
  );
}
