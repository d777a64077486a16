import {text as readStream} from 'node:stream/consumers';
import type {MaiOptions} from '../mai.js';
import type {FallbackRecord} from '../manager/model-manager.js';
import {EXIT_OK, UsageError} from './exit-codes.js';
import {note, printJson, progress} from './output.js';
import {withMai} from './session.js';
import {sanitizeForTerminal} from '../util/sanitize.js';
import {latestNotice} from '../store.js';

export type AskOptions = MaiOptions & {readonly json?: boolean};

/** "mai-x can't be used: <why>; answered with mai-y": what a script's user must hear about a fallback. */
function fallbackLine(record: FallbackRecord, answeredWith: string): string {
  return `mai: ${record.from} can't be used: ${record.reason}; answered with ${record.to ?? answeredWith}`;
}

async function promptFrom(words: readonly string[]): Promise<string> {
  const joined = words.length === 1 && words[0] === '-' ? await readStream(process.stdin) : words.join(' ');
  const prompt = joined.trim();
  if (!prompt) throw new UsageError('nothing to ask: give the question as arguments, or `-` to read it from stdin');
  return prompt;
}

/** `mai ask`: one answer on stdout, streamed as it is written (or one JSON document with --json). */
export async function ask(words: readonly string[], options: AskOptions): Promise<number> {
  const prompt = await promptFrom(words);
  return withMai(options, async ({mai, signal}) => {
    for (const warning of mai.resumed?.warnings ?? []) note(`mai: conversation ${mai.resumed?.id}: ${warning}`);
    const unsubscribe = mai.store.subscribe((state, previous) => {
      const notice = latestNotice(state);
      if (notice && notice !== latestNotice(previous)) {
        if (notice.level === 'info') progress(`mai: ${notice.text}`);
        else note(`mai: ${notice.text}`);
      }
    });
    try {
      const stream = mai.streamMessage(prompt, {signal});
      let result = await stream.next();
      while (!result.done) {
        if (!options.json) process.stdout.write(sanitizeForTerminal(result.value));
        result = await stream.next();
      }
      const reply = result.value;
      // On stderr with --json too: a script that reads only stdout still leaves it in its log.
      for (const record of reply.fallbacks) note(fallbackLine(record, reply.model));
      if (options.json) {
        printJson({
          text: reply.text,
          model: reply.model,
          interrupted: reply.interrupted,
          tokens: {prompt: reply.stats.tokensIn, completion: reply.stats.tokensOut},
          timeToFirstTokenMs: Math.round(reply.stats.timeToFirstTokenMs),
          tokensPerSecond: Math.round(reply.stats.tokensPerSecond * 10) / 10,
          stopReason: reply.stats.stopReason,
          conversation: mai.conversationId,
          switches: reply.switches.map(({from, to, reason, kind, ms}) => ({from, to, reason, kind: kind ?? null, ms: ms ?? null})),
          fallbacks: reply.fallbacks.map(({from, to, reason}) => ({from, to, reason})),
        });
      } else {
        process.stdout.write('\n');
        if (mai.conversationId) progress(`mai: saved as conversation ${mai.conversationId} (continue it with --resume)`);
      }
      return EXIT_OK;
    } finally {
      unsubscribe();
    }
  });
}
