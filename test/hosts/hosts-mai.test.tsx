import {mkdir, readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ModelPanel} from '../../components/ModelPanel.js';
import {Mai} from '../../src/mai.js';
import type {ConnectionState} from '../../src/domain.js';
import {expectNoCommunicationWarnings, startLMStudio} from '../support/lmstudio.js';
import {TEST_MODELS, type TestModelKey} from '../support/models.js';
import {startOpenAIServer, type OpenAIServer} from '../support/openai-server.js';
import {createSandbox, type Sandbox} from '../support/sandbox.js';
import {waitFor} from '../support/wait-for.js';

// Hosts as pools, end to end: Mai with its own engine and two OpenAI-compatible test servers (each
// on the real engine, each its own port) configured as two hosts. A host that drops mid-reply:
// the reply completes on the next model, nothing is lost, the store shows the host reconnecting
// and then back; the host's key reaches no log, no conversation file, no status.

const SECRET = 'sk-test-5f0c1d2e3b4a59687766554433221100';

let sandbox: Sandbox | undefined;
let mai: Mai | undefined;
const servers: OpenAIServer[] = [];

afterEach(async () => {
  await mai?.shutdown();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await sandbox?.cleanup();
  mai = undefined;
  sandbox = undefined;
});

async function serve(models: readonly TestModelKey[]): Promise<OpenAIServer> {
  const server = await startOpenAIServer({models, threads: 1});
  servers.push(server);
  return server;
}

/** A Mai whose own model is the small demo model, with the hosts given in its user config. */
async function maiWithHosts(hostsYaml: string): Promise<Mai> {
  sandbox = await createSandbox(['demo-small']);
  const dir = path.join(sandbox.home, '.config/mai');
  await mkdir(dir, {recursive: true});
  await writeFile(path.join(dir, 'models.yaml'), `hosts:\n${hostsYaml}`);
  mai = await Mai.create({env: {...sandbox.env, GPU_BOX_KEY: SECRET}, forgeDemoModels: false, autoSwitch: false});
  return mai;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true}).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('two hosts', () => {
  it('a host dropped mid-reply: the reply completes on the next model, nothing lost, the host reconnects', async () => {
    const gpuBox = await serve(['demo-large']);
    const team = await serve(['demo-medium']);
    gpuBox.setFaults({requireKey: SECRET});
    const m = await maiWithHosts(
      [
        `  - {name: gpu-box, kind: openai, url: "${gpuBox.url}", api_key_env: GPU_BOX_KEY, priority: 1}`,
        `  - {name: team, kind: openai, url: "${team.url}"}`,
        '',
      ].join('\n'),
    );
    const entries = await m.catalog();
    expect(entries.map((entry) => [entry.key, entry.host ?? 'local'])).toEqual([
      ['mai-demo-large', 'gpu-box'],
      ['mai-demo-medium', 'team'],
      ['mai-demo-small', 'local'],
    ]);

    // The large model on gpu-box answers; then gpu-box drops the stream after three chunks.
    await m.switchTo('mai-demo-large');
    m.unpin();
    const states: ConnectionState[] = [];
    m.store.subscribe((state, previous) => {
      const now = state.backends['openai:gpu-box']?.state;
      if (now && now !== previous.backends['openai:gpu-box']?.state) states.push(now);
    });
    const panel = render(<ModelPanel store={m.store} width={44} height={14} />);
    gpuBox.setFaults({requireKey: SECRET, dropAfterChunks: 3});
    const reply = await m.processMessage('Hello there');
    gpuBox.setFaults({requireKey: SECRET});

    expect(reply.model).toBe('mai-demo-medium');
    expect(reply.text).toBe(TEST_MODELS['demo-medium'].message);
    expect(reply.interrupted).toBe(false);
    expect(reply.fallbacks).toEqual([expect.objectContaining({from: 'mai-demo-large', to: 'mai-demo-medium'})]);
    // Nothing lost: what gpu-box wrote before it dropped stays in the conversation, marked.
    const replies = m.getConversationHistory().filter((entry) => entry.role === 'assistant');
    expect(replies).toHaveLength(2);
    const [cut, completed] = replies;
    expect(cut?.interrupted).toBe(true);
    expect(cut?.text.length).toBeGreaterThan(0);
    expect(TEST_MODELS['demo-large'].message?.startsWith(cut?.text ?? '-')).toBe(true);
    expect(completed?.text).toBe(TEST_MODELS['demo-medium'].message);

    // The host is shown reconnecting, then back.
    await waitFor(() => m.store.getState().backends['openai:gpu-box']?.state === 'connected', {what: 'gpu-box back', timeoutMs: 30_000});
    expect(states).toEqual(expect.arrayContaining(['reconnecting', 'connected']));
    expect(states.indexOf('reconnecting')).toBeLessThan(states.lastIndexOf('connected'));
    // The panel groups the models by host and showed gpu-box reconnecting, then back with its latency.
    expect(panel.frames.some((frame) => frame.includes('◌ gpu-box: reconnecting…'))).toBe(true);
    await waitFor(() => /● gpu-box [\d.]+ ms/.test(panel.lastFrame() ?? ''), {what: 'the panel showing gpu-box back', detail: () => panel.lastFrame() ?? ''});
    const frame = panel.lastFrame() ?? '';
    expect(frame.indexOf('● local')).toBeLessThan(frame.indexOf('mai-demo-small'));
    expect(frame.indexOf('gpu-box')).toBeLessThan(frame.indexOf('mai-demo-large'));
    expect(frame.indexOf('● team')).toBeLessThan(frame.indexOf('mai-demo-medium'));
    panel.unmount();
    const gpuReport = m.hostReports().find((host) => host.name === 'gpu-box');
    expect(gpuReport).toMatchObject({state: 'up', keyed: true, models: [{key: 'mai-demo-large', tier: 'large'}]});

    // The key went to gpu-box, and nowhere else: not to team, not to the log, the conversation, the status.
    expect(gpuBox.authorizations).toContain(`Bearer ${SECRET}`);
    expect(team.authorizations.join('\n')).not.toContain(SECRET);
    expect(JSON.stringify(await m.getStatus())).not.toContain(SECRET);
    await m.shutdown();
    const written = await filesUnder(path.join(sandbox?.home ?? '', '.local/state/mai'));
    expect(written.some((file) => file.endsWith('events.jsonl'))).toBe(true);
    expect(written.some((file) => file.includes('conversations'))).toBe(true);
    for (const file of written) expect(await readFile(file, 'utf8'), file).not.toContain(SECRET);
  });

  it('the same model on two hosts is one entry; when the first host goes, the other serves it', async () => {
    const gpuBox = await serve(['demo-medium']);
    const team = await serve(['demo-medium']);
    const m = await maiWithHosts(
      [`  - {name: gpu-box, kind: openai, url: "${gpuBox.url}", priority: 1}`, `  - {name: team, kind: openai, url: "${team.url}"}`, ''].join('\n'),
    );
    const entries = await m.catalog();
    const medium = entries.filter((entry) => entry.key === 'mai-demo-medium');
    expect(medium).toHaveLength(1);
    expect(medium[0]?.host).toBe('gpu-box');
    expect(medium[0]?.sources?.map((source) => source.host)).toEqual(['gpu-box', 'team']);

    await gpuBox.goAway();
    await waitFor(async () => (await m.catalog()).find((entry) => entry.key === 'mai-demo-medium')?.host === 'team', {what: 'team serving it'});
    const reply = await m.processMessage('Hi');
    expect(reply.text).toBe(TEST_MODELS['demo-medium'].message);
    expect(team.requests.some((request) => request.startsWith('POST /v1/chat/completions'))).toBe(true);
  });

  it('another LM Studio as a host: its models run there, judged by its own answer, not this machine\'s memory', async () => {
    const studio = await startLMStudio(['tiny']);
    try {
      const m = await maiWithHosts(`  - {name: studio, kind: lmstudio, url: "${studio.emulator.url.replace(/^ws/, 'http')}"}\n`);
      const entries = await m.catalog();
      expect(entries.map((entry) => [entry.key, entry.host ?? 'local', entry.backendId, entry.fitUnknown ?? false])).toEqual([
        ['test-tiny', 'studio', 'lmstudio:studio', true],
        ['mai-demo-small', 'local', 'embedded', false],
      ]);
      await m.switchTo('test-tiny');
      const reply = await m.processMessage('Hi');
      expect(reply.model).toBe('test-tiny');
      expect(reply.text).toBe(TEST_MODELS.tiny.message);
      expect(m.hostReports().map((host) => [host.name, host.kind, host.state])).toEqual([
        ['local', 'local', 'up'],
        ['studio', 'lmstudio', 'up'],
      ]);
      expect(m.store.getState().backends['lmstudio:studio']).toMatchObject({host: 'studio', state: 'connected'});
      expectNoCommunicationWarnings(studio.emulator);
      await m.shutdown();
    } finally {
      await studio.close();
    }
  });
});
