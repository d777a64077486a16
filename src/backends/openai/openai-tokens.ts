import type OpenAI from 'openai';
import {APIError} from 'openai';

// Token counts on a remote host. The OpenAI API has no tokenizer endpoint, but llama-server has
// `POST /tokenize {content}` -> `{tokens: [...]}` and vLLM `POST /tokenize {model, prompt}` ->
// `{count, tokens}`, both beside /v1: where the host answers it, counts are the model's own.
// Elsewhere (Ollama, LM Studio's REST, LocalAI) mai estimates, and says so (`estimated`), so that
// the context manager keeps a margin; a reply's own counts come from the server's `usage`.

/**
 * Characters per token of the estimate: English prose runs ~4 characters a token with the BPE
 * vocabularies of current models (OpenAI's rule of thumb; code and other scripts run fewer, so the
 * estimate errs high there only if they run more, which is why callers keep a margin).
 */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return text === '' ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Statuses that say "no such endpoint here" rather than "the host is in trouble". */
const ABSENT = new Set([400, 404, 405, 415, 422, 501]);

export class TokenCounter {
  /** null until the host has been asked once. */
  private hasTokenizer: boolean | null = null;

  constructor(
    private readonly client: OpenAI,
    /** `http://host:port`, where /tokenize lives. */
    private readonly root: string,
    private readonly timeoutMs: number,
  ) {}

  /** Whether counts are estimates (the host has no tokenizer endpoint, as far as mai knows). */
  get estimated(): boolean {
    return this.hasTokenizer === false;
  }

  /** The count of `text` for `model`; throws (classified by the caller) when the host fails. */
  async count(model: string, text: string): Promise<number> {
    if (this.hasTokenizer === false) return estimateTokens(text);
    let answer: unknown;
    try {
      answer = await this.client.post(`${this.root}/tokenize`, {body: {model, content: text, prompt: text, add_special: false}, timeout: this.timeoutMs});
    } catch (error) {
      const absent = error instanceof APIError && error.status !== undefined && ABSENT.has(error.status);
      if (!absent || this.hasTokenizer === true) throw error;
      this.hasTokenizer = false;
      return estimateTokens(text);
    }
    // Something answered, but not a tokenizer (a catch-all page, a different API): estimate.
    const {tokens, count} = (answer ?? {}) as {tokens?: unknown; count?: unknown};
    const counted = typeof count === 'number' ? count : Array.isArray(tokens) ? tokens.length : null;
    if (counted === null) {
      this.hasTokenizer = false;
      return estimateTokens(text);
    }
    this.hasTokenizer = true;
    return counted;
  }
}
