import type {ModelErrorKind} from '../domain.js';

// Classified failures: every backend throws these, and the ModelManager decides what to do (retry,
// fall back, mark unusable) from the kind alone, never by parsing messages.

export type {ModelErrorKind};

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
