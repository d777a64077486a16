import {mkdir, readFile, rename, writeFile} from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';

// What the user chose that outlives a run: `mai switch K` makes K the preferred model.

const PreferencesSchema = z.object({preferredModel: z.string().min(1).optional()});
export type Preferences = z.infer<typeof PreferencesSchema>;

export function preferencesFile(stateDir: string): string {
  return path.join(stateDir, 'preferences.json');
}

/** A missing or unreadable file means no preferences; it never stops mai from starting. */
export async function readPreferences(stateDir: string): Promise<Preferences> {
  try {
    const parsed = PreferencesSchema.safeParse(JSON.parse(await readFile(preferencesFile(stateDir), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export async function writePreferences(stateDir: string, preferences: Preferences): Promise<void> {
  await mkdir(stateDir, {recursive: true, mode: 0o700});
  const file = preferencesFile(stateDir);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(preferences, null, 2) + '\n', {mode: 0o600});
  await rename(temporary, file);
}
