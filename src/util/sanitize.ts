import stringWidth from 'string-width';

// Everything a model or a file says passes through here before it reaches Ink (DESIGN.md §8):
// model text must not set the window title, write the clipboard (OSC 52), move the cursor, clear
// the screen or reorder what the user reads.

/** Tab stops every 4 columns: code keeps its alignment and a tab never reaches the terminal. */
export const TAB_WIDTH = 4;

// One pass over every escape sequence, 7-bit (ESC ...) and 8-bit (C1) forms. Alternatives in order:
// 1. string sequences: OSC (ESC ] / 0x9D), DCS (ESC P / 0x90), SOS (ESC X / 0x98), PM (ESC ^ / 0x9E),
//    APC (ESC _ / 0x9F), up to BEL, ST (ESC \ or 0x9C) or, when the terminator has not arrived yet
//    (a reply cut mid-stream), the end of the text: a terminal would swallow that payload too.
// 2. CSI (ESC [ / 0x9B): parameter bytes, intermediate bytes, final byte (absent when cut off).
// 3. nF sequences (ESC, intermediates 0x20-0x2F, final), e.g. charset designation ESC ( 0.
// 4. any other ESC with its one following byte (ESC 7, ESC c, SS3...), or a lone ESC.
// After this pass no ESC and no C1 byte is left, so removing text can never join two halves into a
// new sequence.
const ESCAPE_SEQUENCE = new RegExp(
  [
    String.raw`(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)`,
    String.raw`(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?`,
    String.raw`\x1b[\x20-\x2f]+[\x30-\x7e]?`,
    String.raw`\x1b[\x30-\x7e]?`,
  ].join('|'),
  'g',
);

// C0 controls except \t (0x09) and \n (0x0A), DEL, the C1 range, and the bidi embedding / override
// (U+202A-U+202E) and isolate (U+2066-U+2069) controls. \r (0x0D) is in the set: the caller's
// \r\n has already become \n, and a lone \r would let text overwrite the start of its own line.
const CONTROL_CHARACTER = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

// What JSON.stringify (and YAML's double quotes) leave as they are but a terminal may act on: DEL,
// the 8-bit C1 controls (U+009B is a CSI to many terminals), the bidi embeddings, overrides and
// isolates, and the line / paragraph separators. Serializers already escape C0 (ESC included).
const SERIALIZED_UNSAFE = /[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes the characters above as `\uXXXX` in serialized text (JSON, a double-quoted YAML scalar),
 * where that escape means the same character: the document keeps its value, the terminal sees none.
 */
export function escapeSerializedControls(serialized: string): string {
  return serialized.replace(SERIALIZED_UNSAFE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON for a terminal: JSON.stringify, then escapeSerializedControls. */
export function jsonForTerminal(value: unknown, indent?: number): string {
  return escapeSerializedControls(JSON.stringify(value, null, indent));
}

/** Returns text that is safe to hand to Ink: printable characters, `\n`, and spaces for tabs. */
export function sanitizeForTerminal(text: string): string {
  const cleaned = text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n/g, '\n').replace(CONTROL_CHARACTER, '');
  return cleaned.includes('\t') ? expandTabs(cleaned) : cleaned;
}

function expandTabs(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const segments = line.split('\t');
      let out = segments[0] ?? '';
      let column = stringWidth(out);
      for (const segment of segments.slice(1)) {
        const pad = TAB_WIDTH - (column % TAB_WIDTH);
        out += ' '.repeat(pad) + segment;
        column += pad + stringWidth(segment);
      }
      return out;
    })
    .join('\n');
}
