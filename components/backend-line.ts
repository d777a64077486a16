import type {BackendStatus} from '../src/store.js';
import type {BackendKind, ModelSource} from '../src/domain.js';
import {oneLine} from './status-line.js';

// What the models box says about where models run: each model's source, and how LM Studio is doing.

const KIND_LABELS: Readonly<Record<BackendKind, string>> = {lmstudio: 'LM Studio', embedded: 'embedded', openai: 'OpenAI-compatible'};

/** "LM Studio", "embedded", or "LM Studio + embedded" (the one mai uses first, first). */
export function sourceLabel(sources: readonly ModelSource[] | undefined): string {
  const kinds = [...new Set((sources ?? []).map((source) => source.kind))];
  return kinds.length === 0 ? KIND_LABELS.embedded : kinds.map((kind) => KIND_LABELS[kind]).join(' + ');
}

export type BackendLine = {
  readonly mark: string;
  readonly text: string;
  readonly color: 'green' | 'yellow' | 'red' | undefined;
  readonly dim: boolean;
};

/** "● LM Studio 0.3.99", "○ LM Studio: not running", "◌ LM Studio: reconnecting…". */
export function backendLine(status: BackendStatus): BackendLine {
  const name = KIND_LABELS[status.kind];
  switch (status.state) {
    case 'connected':
      return {mark: '●', text: oneLine(status.version ? `${name} ${status.version}` : name), color: 'green', dim: false};
    case 'checking':
      return {mark: '◌', text: `${name}: checking…`, color: undefined, dim: true};
    case 'not-running':
      return {mark: '○', text: `${name}: not running`, color: undefined, dim: true};
    case 'reconnecting':
      return {mark: '◌', text: `${name}: reconnecting…`, color: 'yellow', dim: false};
    case 'error':
      // Why goes to `mai status` and the log: the box has no room for it.
      return {mark: '✗', text: `${name}: not answering`, color: 'red', dim: false};
  }
}
