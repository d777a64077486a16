// Classified failures: the ModelManager decides what to do (retry, fall back, mark unusable) from
// the kind alone, never by parsing messages.

export type ModelErrorKind =
  /** The file can never work (corrupt, truncated, crashed the engine while loading). */
  | 'unusable'
  /** The engine process died or stopped answering while the model was in use. */
  | 'crashed'
  /** The backend went away (socket dropped, server stopped). */
  | 'backend-gone'
  /** Not enough memory for the model and its context right now. */
  | 'out-of-memory'
  | 'load-failed'
  | 'not-found'
  | 'timeout'
  | 'aborted';

export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly kind: ModelErrorKind,
    message: string,
    readonly modelKey?: string,
  ) {
    super(message);
  }
}

export function isModelError(error: unknown, kind?: ModelErrorKind): error is ModelError {
  return error instanceof ModelError && (kind === undefined || error.kind === kind);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
