// The drills of issue 13: real scenarios, each asserting that nothing is lost. The tests carry the
// id at the start of their names ("R3: …"); where an existing end-to-end test is the drill, it
// stays in its file under that name (vitest.drills.config.ts lists those files).

/** The annotation type of a drill's measured figure (`annotate(text, FIGURE)`), shown in the table. */
export const FIGURE = 'figure';

/** `drill: false`: no test is that drill yet (the table says so). */
export const DRILLS: readonly {readonly id: string; readonly scenario: string; readonly drill?: false}[] = [
  {id: 'R1', scenario: "a backend's socket dropped mid-reply → the reply finishes on the fallback"},
  {id: 'R2', scenario: 'a corrupt, a truncated and an aborting GGUF at the head of a chain → skipped with the reason, the fallback answers'},
  {id: 'R3', scenario: 'memory hog during a conversation → switch down, no OOM, conversation intact'},
  {id: 'R4', scenario: 'kill -9 mid-reply → --resume shows every completed message, the partial one marked'},
  {id: 'R5', scenario: 'malformed config, ten different mistakes → exit 2, each names FILE:LINE:COL'},
  {id: 'R6', scenario: 'escape sequences from models, files and LM Studio → none reaches the terminal, on every output path'},
  {id: 'R7', scenario: '1 MB bracketed paste → the next key shows within 100 ms'},
  {id: 'R8', scenario: '100 keys in a burst, 100 switch requests → every key handled, the last model current, no leaked engine'},
  {id: 'R9', scenario: '1,000-message soak through the TUI → RSS growth after warm-up < 5 %, frame time flat'},
  {id: 'R10', scenario: 'files 0600 and dirs 0700, no secret in logs, no listening socket by default'},
];
