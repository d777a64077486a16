import {memo} from 'react';
import {Text} from 'ink';
import type {BackendStatus} from '../src/store.js';
import {backendLine} from './backend-line.js';

export type Props = {
  readonly status: BackendStatus;
};

/** One row at the foot of the models box: "● LM Studio 0.3.99" or "○ LM Studio: not running". */
export const BackendStatusLine = memo(function BackendStatusLine({status}: Props) {
  const line = backendLine(status);
  return (
    <Text wrap="truncate-end" dimColor={line.dim}>
      <Text color={line.color}>{line.mark}</Text>
      {` ${line.text}`}
    </Text>
  );
});
