import { makeStyles } from '@material-ui/core/styles';

/** Styles shared by the plugin's surfaces. */
export const useSharedStyles = makeStyles({
  /** Read by screen readers, not shown: the words that icons stand for. */
  srOnly: {
    position: 'absolute',
    width: 1,
    height: 1,
    margin: -1,
    padding: 0,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
});
