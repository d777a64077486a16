// Small formatting helpers for the suite's rows: one figure reads the same in every row.

/** "1,234" */
export const int = (value: number): string => Math.round(value).toLocaleString('en-US');
/** "12.3 ms" (whole milliseconds from 100 up) */
export const ms = (value: number): string => (value >= 100 ? `${int(value)} ms` : `${value.toFixed(1)} ms`);
/** "0.96×" */
export const times = (ratio: number): string => `${ratio.toFixed(2)}×`;
/** "+2.8 %" */
export const signedPct = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} %`;
/** The worst of several values by magnitude, keeping its sign. */
export const worstBySize = (values: readonly number[]): number => values.reduce((worst, value) => (Math.abs(value) > Math.abs(worst) ? value : worst), 0);
