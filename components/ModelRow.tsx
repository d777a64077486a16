import {memo} from 'react';
import {Text} from 'ink';
import type {ModelEntry, ModelStatus} from '../src/store.js';
import {modelLine} from './model-line.js';

export type Props = {
  readonly entry: ModelEntry;
  readonly status: ModelStatus | undefined;
  readonly current: boolean;
  readonly columns: number;
  readonly showSources: boolean;
};

/** One model on one row: "● qwen2.5-7b  large  4.1G lms demo 37%". */
export const ModelRow = memo(function ModelRow({entry, status, current, columns, showSources}: Props) {
  const line = modelLine(entry, status, current, columns, showSources);
  return (
    <Text wrap="truncate-end">
      <Text color={line.current ? 'green' : undefined} dimColor={!line.current}>
        {line.current ? '● ' : '○ '}
      </Text>
      <Text bold={line.current} dimColor={line.failed || line.tooBig}>
        {line.key}
      </Text>
      <Text dimColor>{` ${line.tier} `}</Text>
      {line.size}
      {line.lmstudio ? <Text color="cyan"> lms</Text> : null}
      {line.demo ? <Text color="magenta"> demo</Text> : null}
      {line.loading ? <Text color="yellow">{` ${line.loading}`}</Text> : null}
      {line.failed ? <Text color="red"> ✗</Text> : null}
      {line.tooBig ? <Text dimColor> ·</Text> : null}
    </Text>
  );
});
