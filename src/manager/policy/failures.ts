// What a failure means for what mai does next (issue 10 item 5): retry the same model, fall back to
// the next in the chain, degrade (nothing fits), or stop. By kind alone, so that the decision is
// the same whichever backend failed; the label is what the user reads ("mai-x can't be used: …").

import type {ModelErrorKind} from '../../domain.js';

export type FailureClass = {
  /** Worth another attempt with the same model (up to policy.retries). */
  readonly retryable: boolean;
  /** The model can never work: mark it unusable, never try it again. */
  readonly neverRetry: boolean;
  /** What to do once retries are spent (or at once when not retryable). */
  readonly then: 'fall-back' | 'degrade' | 'stop';
  readonly label: string;
};

const CLASSES: Readonly<Record<ModelErrorKind, FailureClass>> = {
  unusable: {retryable: false, neverRetry: true, then: 'fall-back', label: 'corrupt or unsupported'},
  // An engine that died mid-reply is usually the machine (memory) or a one-off; a second death
  // within the retries sends the request down the chain.
  crashed: {retryable: true, neverRetry: false, then: 'fall-back', label: 'backend gone'},
  'backend-gone': {retryable: true, neverRetry: false, then: 'fall-back', label: 'backend gone'},
  // The same load in the same memory fails the same way: free memory or go smaller instead.
  'out-of-memory': {retryable: false, neverRetry: false, then: 'degrade', label: 'out of memory'},
  'load-failed': {retryable: true, neverRetry: false, then: 'fall-back', label: 'failed to load'},
  'not-found': {retryable: false, neverRetry: false, then: 'fall-back', label: 'not found'},
  timeout: {retryable: true, neverRetry: false, then: 'fall-back', label: 'timed out'},
  // The user stopped it: nothing to recover.
  aborted: {retryable: false, neverRetry: false, then: 'stop', label: 'stopped by you'},
};

export function classifyFailure(kind: ModelErrorKind): FailureClass {
  return CLASSES[kind];
}

/** Whether attempt number `attempts` (1 = the first failure) should be followed by another try. */
export function shouldRetry(kind: ModelErrorKind, attempts: number, retries: number): boolean {
  return CLASSES[kind].retryable && attempts <= retries;
}
