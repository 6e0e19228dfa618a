import { useTranslationRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import { makeStyles } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import EmojiEventsIcon from '@material-ui/icons/EmojiEvents';
import RemoveCircleOutlineIcon from '@material-ui/icons/RemoveCircleOutline';
import { scorecardsTranslationRef } from '../../translation';

/** Bronze, silver, gold, then on for longer ladders; the word beside it always names the level. */
const LEVEL_COLORS = ['#a0672e', '#5f7d95', '#b8860b', '#2f7d8c', '#6d4fa3'];

/** The colour of a level by its position on the ladder. */
export function levelColor(levelIndex: number): string {
  return LEVEL_COLORS[Math.min(levelIndex, LEVEL_COLORS.length - 1)];
}

const useStyles = makeStyles(theme => ({
  root: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  icon: (props: { levelIndex: number }) => ({
    color:
      props.levelIndex < 0
        ? theme.palette.text.secondary
        : levelColor(props.levelIndex),
  }),
}));

/** The level reached, as an icon and a word ("No level" when none is reached). */
export function LevelBadge(props: {
  level: string | null;
  levelIndex: number;
  size?: 'small' | 'large';
}) {
  const { t } = useTranslationRef(scorecardsTranslationRef);
  const classes = useStyles({
    levelIndex: props.level ? props.levelIndex : -1,
  });
  const large = props.size === 'large';
  const Icon = props.level ? EmojiEventsIcon : RemoveCircleOutlineIcon;
  const name = props.level ?? t('level.none');
  return (
    <Box className={classes.root}>
      <Icon
        className={classes.icon}
        fontSize={large ? 'large' : 'small'}
        aria-hidden
      />
      <Typography component="span" variant={large ? 'h5' : 'subtitle1'}>
        {name}
      </Typography>
    </Box>
  );
}
