import {loadConfig} from '../config.js';
import {listConversations, type ConversationInfo} from '../conversation/conversation-file.js';
import {EXIT_OK} from './exit-codes.js';
import {formatTable, printJson, printLine} from './output.js';

// `mai chat --list`: the saved conversations, newest first, to pick one for `--resume`.

export type ListOptions = {readonly configPath?: string; readonly json?: boolean};

const FIRST_LINE_COLUMNS = 60;

/** "2026-11-24 10:31" in the user's time zone. */
function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function shorten(text: string, columns: number): string {
  const chars = Array.from(text);
  return chars.length <= columns ? text : `${chars.slice(0, columns - 1).join('')}…`;
}

function conversationJson(info: ConversationInfo) {
  return {
    id: info.id,
    startedAt: new Date(info.startedAt).toISOString(),
    updatedAt: new Date(info.updatedAt).toISOString(),
    messages: info.messages,
    firstLine: info.firstLine,
    lastModel: info.lastModel,
    path: info.path,
    warnings: info.warnings,
  };
}

export async function listConversationsCommand(options: ListOptions): Promise<number> {
  const {paths} = await loadConfig(options.configPath ? {configPath: options.configPath} : {});
  const conversations = await listConversations(paths.conversationsDir);
  if (options.json) {
    printJson({conversations: conversations.map(conversationJson)});
    return EXIT_OK;
  }
  if (conversations.length === 0) {
    printLine('No saved conversations yet. Conversations are saved as you chat (`mai`, `mai ask`).');
    return EXIT_OK;
  }
  const rows = [['ID', 'LAST ACTIVE', 'MESSAGES', 'FIRST LINE']];
  for (const info of conversations) {
    rows.push([info.id, localTime(info.updatedAt), String(info.messages), shorten(info.firstLine, FIRST_LINE_COLUMNS)]);
  }
  for (const line of formatTable(rows)) printLine(line);
  printLine('\nContinue one with `mai chat --resume ID` (the start of the ID is enough), or the latest with `mai chat --resume`.');
  return EXIT_OK;
}
