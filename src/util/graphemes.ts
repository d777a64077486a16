// One grapheme segmenter for mai, made when something is first segmented: ICU loads its
// segmentation rules when the process makes its first Intl.Segmenter, 17 ms here, and a chat's
// first frame (ASCII, box drawing, braille) needs none.
let segmenter: Intl.Segmenter | undefined;

/** `text`'s grapheme clusters (what a user sees as one character). */
export function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, {granularity: 'grapheme'});
  return segmenter.segment(text);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Printable ASCII only: each character is one grapheme and one column, so its length is its width. */
export function isPrintableAscii(text: string): boolean {
  return PRINTABLE_ASCII.test(text);
}
