import {useEffect, useState} from 'react';
import {Box, Text, useInput} from 'ink';

// The baseline of the streaming benchmark (P2): a chat as a first Ink app would write it. The
// messages and the growing reply live in React state, every token is a state update that renders
// the whole chat again (each message wrapped by Ink), and keys come from useInput. Ink draws it
// with its standard redraw.

export type NaiveToken = (listener: (token: string) => void) => () => void;

export type NaiveChatProps = {
  readonly history: readonly string[];
  /** Subscribes to the token stream; returns the unsubscribe. */
  readonly tokens: NaiveToken;
  /** Subscribes to the figures line, as `tokens` (each call replaces the line). */
  readonly figures?: NaiveToken;
};

export function NaiveChat({history, tokens, figures}: NaiveChatProps) {
  const [messages, setMessages] = useState<readonly string[]>(history);
  const [reply, setReply] = useState('');
  const [input, setInput] = useState('');
  const [line, setLine] = useState('');
  useEffect(() => tokens((token) => setReply((text) => text + token)), [tokens]);
  useEffect(() => figures?.(setLine), [figures]);
  useInput((text, key) => {
    if (key.return) {
      setMessages((list) => [...list, input]);
      setInput('');
    } else {
      setInput((value) => value + text);
    }
  });
  return (
    <Box flexDirection="column" height={40} borderStyle="single">
      <Box flexDirection="column" flexGrow={1} justifyContent="flex-end" overflow="hidden">
        {messages.map((message, i) => (
          <Text key={i}>{message}</Text>
        ))}
        <Text color="green">{reply}</Text>
      </Box>
      <Text>{`> ${input}`}</Text>
      {figures ? <Text color="cyan">{line}</Text> : null}
    </Box>
  );
}
