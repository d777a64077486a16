import path from 'node:path';
import {parseArgs} from 'node:util';
import {startOpenAIServer} from './openai-server.js';

// The OpenAI test server as a program of its own: for benchmarks (the server in another process,
// as a real host would be) and for trying mai against "a remote host" by hand. It serves a folder
// of GGUF files (the demo models, or any) with mai's engine on 127.0.0.1.
//   node dist/test/support/openai-server-main.js --models-dir DIR [--port 8080] [--threads 1]

const {values} = parseArgs({
  options: {
    port: {type: 'string', default: '8080'},
    'models-dir': {type: 'string'},
    threads: {type: 'string', default: '1'},
  },
});

if (!values['models-dir']) {
  process.stderr.write('usage: openai-server-main --models-dir DIR [--port 8080] [--threads 1]\n');
  process.exit(2);
}

const server = await startOpenAIServer({modelsDir: path.resolve(values['models-dir']), port: Number(values.port), threads: Number(values.threads)});
process.stderr.write(`listening on ${server.url}\n`);

const stop = () => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
