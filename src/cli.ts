#!/usr/bin/env node
import {Command, CommanderError, Option} from 'commander';
import {EXIT_OK, EXIT_USAGE, UsageError} from './cli/exit-status.js';
import {packageVersion} from './version.js';

// Argument parsing and dispatch only; each subcommand lives in src/cli/. Modules load lazily so
// that `mai --help` and `mai config` do not pay for the engine or the UI.

/** Reports a failure on stderr; loaded only when something failed (it needs the config's error types and the sanitizer). */
async function reportError(error: unknown): Promise<number> {
  return (await import('./cli/exit-codes.js')).reportError(error);
}

type GlobalOptions = {config?: string; ascii?: boolean};

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

function build(run: (work: () => Promise<number>) => void): Command {
  const program = new Command('mai')
    .description('A full-screen terminal chat for local LLMs that picks, loads and switches models for you.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <path>', 'read this config file instead of ~/.config/mai/models.yaml')
    .showHelpAfterError('(run `mai --help` for usage)')
    .exitOverride()
    .addHelpText('after', examples('mai', 'mai ask "what is a GGUF file?"', 'mai models', 'mai status --json'));

  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  const configOption = () => (global().config ? {configPath: global().config as string} : {});

  program
    .command('chat', {isDefault: true})
    .description('open the full-screen chat (the default)')
    .option('-m, --model <key>', 'pin this model: mai never switches away from it by itself')
    .option('--no-auto-switch', 'never switch models by yourself (Ctrl+A turns it back on)')
    .option('-r, --resume [id]', 'continue a saved conversation: the latest, or the one with this ID')
    .option('-l, --list', 'list the saved conversations and exit')
    .option('--json', 'with --list: print one JSON document')
    .option('--ascii', 'draw gauges with block characters instead of braille')
    .option('--no-mouse', 'no mouse reporting: the wheel does not scroll, plain dragging selects text')
    .addHelpText('after', examples('mai chat', 'mai chat --model mai-demo-small', 'mai chat --list', 'mai chat --resume', 'mai chat --resume 20261124-1031'))
    .action((options: {model?: string; ascii?: boolean; resume?: string | true; list?: boolean; json?: boolean; autoSwitch?: boolean; mouse?: boolean}) =>
      run(async () => {
        // --no-mouse makes commander default `mouse` to true: only an explicit false overrides the config.
        const {list, json, mouse, ...rest} = options;
        const chat = mouse === false ? {...rest, mouse} : rest;
        if (list) return (await import('./cli/conversations.js')).listConversationsCommand({...configOption(), ...(json ? {json} : {})});
        if (json) throw new UsageError('--json goes with --list (the chat itself is full-screen)');
        return (await import('./cli/chat.js')).chat({...configOption(), ...chat});
      }),
    );

  program
    .command('ask')
    .description('answer one question on stdout, for scripts (`-` reads the question from stdin)')
    .argument('<text...>', 'the question')
    .option('-m, --model <key>', 'answer with this model (another one answers if it cannot; see --strict)')
    .option('--strict', 'with --model: fail (exit 1) instead of answering with another model')
    .option('--no-auto-switch', 'answer with the model mai starts with, whatever the question')
    .option('-r, --resume <id>', 'continue a saved conversation (its ID, or "latest")')
    .option('--json', 'print one JSON document: text, model, token counts, switches, fallbacks, conversation ID')
    .addHelpText(
      'after',
      examples('mai ask "summarize: $(cat notes.txt)"', 'echo "hi" | mai ask - --json', 'mai ask --resume latest "and in two sentences?"'),
    )
    .action((words: string[], options: {model?: string; json?: boolean; resume?: string; strict?: boolean; autoSwitch?: boolean}) =>
      run(async () => (await import('./cli/ask.js')).ask(words, {...configOption(), ...options})),
    );

  program
    .command('status')
    .description('the model mai would use, loaded models, CPU, memory and backends')
    .option('--json', 'print one JSON document (with --watch: one JSON line per sample)')
    .option('--watch', 'show CPU, memory, GPUs and pressure live, every sample, until Ctrl+C')
    .addHelpText('after', examples('mai status', 'mai status --json', 'mai status --watch', 'mai status --watch --json | jq .pressure'))
    .action((options: {json?: boolean; watch?: boolean}) => run(async () => (await import('./cli/status.js')).status({...configOption(), ...options})));

  program
    .command('models')
    .description('every known model: source, size, tier, context, memory estimate, fits now')
    .option('--json', 'print one JSON document')
    .addHelpText('after', examples('mai models', 'mai models --json'))
    .action((options: {json?: boolean}) => run(async () => (await import('./cli/models.js')).models({...configOption(), ...options})));

  program
    .command('hosts')
    .description('every machine mai runs models on (local and the hosts of your config): state, latency, models')
    .option('--json', 'print one JSON document (keys are never printed)')
    .addHelpText('after', examples('mai hosts', 'mai hosts --json | jq \'.hosts[] | {name, state, latencyMs}\''))
    .action((options: {json?: boolean}) => run(async () => (await import('./cli/hosts.js')).hosts({...configOption(), ...options})));

  program
    .command('switch')
    .description('load a model and pin it for the next chats (mai then never switches away from it by itself)')
    .argument('[key]', 'the model key, as `mai models` lists it')
    .option('--auto', 'unpin: mai picks the model for each message again')
    .option('--json', 'print one JSON document')
    .addHelpText('after', examples('mai switch mai-demo-medium', 'mai switch --auto'))
    .action((key: string | undefined, options: {json?: boolean; auto?: boolean}) =>
      run(async () => {
        const command = await import('./cli/switch.js');
        if (options.auto) {
          if (key) throw new UsageError('give a model to pin, or --auto to unpin, not both');
          return command.unpinModel({...configOption(), ...options});
        }
        if (!key) throw new UsageError('which model? `mai switch KEY` pins one, `mai switch --auto` unpins');
        return command.switchModel(key, {...configOption(), ...options});
      }),
    );

  program
    .command('config')
    .description('print the effective config, check it, or show where it lives')
    .addOption(new Option('--check', 'validate the config files and exit').conflicts('path'))
    .option('--path', 'print the path of the user config file')
    .addHelpText('after', examples('mai config --check', 'mai config --path', 'mai --config ./my.yaml config --check'))
    .action((options: {check?: boolean; path?: boolean}) =>
      run(async () => (await import('./cli/config-command.js')).configCommand({...configOption(), ...options})),
    );

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let work: (() => Promise<number>) | null = null;
  const program = build((action) => (work = action));
  try {
    await program.parseAsync(argv as string[], {from: 'user'});
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; every other parse error is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
        ? EXIT_OK
        : EXIT_USAGE;
    }
    return await reportError(error);
  }
  if (!work) return EXIT_OK;
  try {
    return await (work as () => Promise<number>)();
  } catch (error) {
    return await reportError(error);
  }
}

// NO_COLOR (no-color.org): Ink's chalk only honours FORCE_COLOR, read when it is first imported.
if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';

// `mai models | head`: the reader has gone, and what is left to print has nowhere to go. mai ends
// quietly, as other tools do, instead of dying on the unhandled 'error' with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_OK);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything was shut down; if a stray handle still holds the process, do not hang the shell.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  async (error: unknown) => {
    process.exitCode = await reportError(error);
  },
);
