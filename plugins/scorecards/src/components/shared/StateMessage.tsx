import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

/** A state of a surface that has nothing else to show: what it is, why, and what to do. */
export function StateMessage(props: {
  icon: ReactNode;
  title: string;
  description?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Box display="flex" alignItems="flex-start" role="status" py={1}>
      <Box mr={1.5} mt={0.25} display="flex" aria-hidden>
        {props.icon}
      </Box>
      <Box>
        <Typography variant="subtitle1" component="p">
          {props.title}
        </Typography>
        {props.description && (
          <Typography variant="body2" color="textSecondary" component="div">
            {props.description}
          </Typography>
        )}
        {props.action && <Box mt={1}>{props.action}</Box>}
      </Box>
    </Box>
  );
}
