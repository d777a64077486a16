// One row of `npm run bench`'s table (issue: one benchmark suite): what was measured, against which
// goal, the figure (a ratio measured in the same run where a baseline exists, absolute numbers beside
// it for context) and whether the goal was met. Every benchmark script returns rows of this shape.

export type BenchRow = {
  /** The benchmark's id in BENCHMARKS.md: "P1", "P6", "H1", … */
  readonly id: string;
  /** What was measured, in a few words: "keystroke → frame, 5,000 messages". */
  readonly name: string;
  /** The goal, as BENCHMARKS.md states it: "p50 < 16 ms above the tmux baseline". */
  readonly goal: string;
  /** The measured figure as printed: "1.08× (p50 9.1 ms vs 8.4 ms)". */
  readonly figure: string;
  /** Whether the goal was met; null where the row has no goal (context only). */
  readonly met: boolean | null;
  /** The numbers behind the figure, for the results file. */
  readonly values?: Readonly<Record<string, number | string | boolean | null>>;
};

/** What every benchmark function takes: `quick` keeps the whole suite under three minutes. */
export type BenchOptions = {readonly quick: boolean};
