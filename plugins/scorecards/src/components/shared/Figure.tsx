import Typography from '@material-ui/core/Typography';

/** A number with what it counts below it, e.g. "42" over "entities scored". */
export function Figure(props: {
  value: string;
  label: string;
  /** `large` for a page's headline figures. */
  size?: 'small' | 'large';
}) {
  const large = props.size === 'large';
  return (
    <div>
      <Typography variant={large ? 'h4' : 'h6'} component="p">
        {props.value}
      </Typography>
      <Typography
        variant={large ? 'body2' : 'caption'}
        color="textSecondary"
        component="p"
      >
        {props.label}
      </Typography>
    </div>
  );
}
