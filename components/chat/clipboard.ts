import {formatPasteSize} from '../pasted-blocks.js';

// Copying to the clipboard of the terminal the user sits at (also over ssh and tmux) with OSC 52.
// The sequence is written only when the user presses a copy key (useChatKeys.ts): model text never
// reaches the terminal unsanitized (src/util/sanitize.ts strips OSC), so a reply cannot set it.

/** OSC 52 for the clipboard ("c"), base64 of the UTF-8 text, ended by BEL (the widest-supported terminator). */
export function osc52(text: string): string {
  return `\u001b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
}

/** The fenced code blocks of a Markdown reply (``` or ~~~), their contents without the fences, in order. */
export function codeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let fence: string | null = null;
  let body: string[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null) {
      if (marker) {
        fence = marker;
        body = [];
      }
    } else if (marker && marker.startsWith(fence.charAt(0)) && marker.length >= fence.length && line.trim() === marker) {
      blocks.push(body.join('\n'));
      fence = null;
    } else {
      body.push(line);
    }
  }
  // A reply cut off inside a block: what there is of it is still worth copying.
  if (fence !== null) blocks.push(body.join('\n'));
  return blocks;
}

/** "copied 1.2 kB (the last reply)" */
export function copiedNotice(text: string, what: string): string {
  return `copied ${formatPasteSize(Buffer.byteLength(text, 'utf8'))} (${what})`;
}
