import {mkdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {ModelInfo} from '../domain.js';
import {silentLog, type EventLog} from '../util/log.js';
import {ENGINE_PROCESS_BYTES, estimateModelPartBytes, type EstimateCorrection} from './estimate.js';
import {CorrectionsSchema, learnFromLoad, NO_CORRECTIONS, type Corrections, type MeasuredLoad} from './estimate-learning.js';

// The corrections mai learned from measured loads (estimate-learning.ts), kept across runs in the
// state dir. The file only makes estimates better: a missing, unreadable or corrupt one means
// "nothing learned yet", with a warning in the event log, and never stops mai.

export function estimatesFile(stateDir: string): string {
  return path.join(stateDir, 'estimates.json');
}

export class EstimateCorrections {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private corrections: Corrections,
    private readonly log: Pick<EventLog, 'warn'>,
  ) {}

  static async open(file: string, log: Pick<EventLog, 'warn'> = silentLog): Promise<EstimateCorrections> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing) log.warn('estimates-file-ignored', {file, reason: error instanceof Error ? error.message : String(error)});
      return new EstimateCorrections(file, NO_CORRECTIONS, log);
    }
    let parsed: ReturnType<typeof CorrectionsSchema.safeParse>;
    try {
      parsed = CorrectionsSchema.safeParse(JSON.parse(text));
    } catch (error) {
      log.warn('estimates-file-ignored', {file, reason: error instanceof Error ? error.message : String(error)});
      return new EstimateCorrections(file, NO_CORRECTIONS, log);
    }
    if (!parsed.success) log.warn('estimates-file-ignored', {file, reason: parsed.error.issues[0]?.message ?? 'not an estimates file'});
    return new EstimateCorrections(file, parsed.success ? parsed.data : NO_CORRECTIONS, log);
  }

  /** Measured ÷ estimated for the model's own part; 1 for a model never measured. */
  readonly factorFor = (key: string): number => this.corrections.models[key]?.factor ?? 1;

  /** GPU layers of the model's last measured load; undefined when never measured. */
  readonly gpuLayersFor = (key: string): number | undefined => this.corrections.models[key]?.gpuLayers;

  /** An empty engine process as measured on this machine, else the built-in figure. */
  engineProcessBytes(): number {
    return this.corrections.engine?.baselineBytes ?? ENGINE_PROCESS_BYTES;
  }

  /** Both corrections of a model, as estimate.ts takes them. */
  correctionFor(key: string): EstimateCorrection {
    return {factor: this.factorFor(key), engineProcessBytes: this.engineProcessBytes()};
  }

  /** What is learned so far (for `mai status`, tests and the benchmark). */
  snapshot(): Corrections {
    return this.corrections;
  }

  /**
   * Learns from one measured load of `key` whose model part was estimated, uncorrected, at
   * `estimatedModelBytes`, and saves. Resolves with the model's new factor, or null when the
   * measurement was implausible and left it as it was.
   */
  async record(key: string, estimatedModelBytes: number, measured: MeasuredLoad): Promise<number | null> {
    const learned = learnFromLoad(this.corrections, key, estimatedModelBytes, measured, new Date());
    this.corrections = learned.corrections;
    if (learned.factor === null) this.log.warn('estimate-measurement-ignored', {model: key, estimatedModelBytes, ...measured});
    await this.save();
    return learned.factor;
  }

  /** record() with the estimate made here from the model's header, for the context the load got. */
  recordLoad(info: ModelInfo, measured: MeasuredLoad): Promise<number | null> {
    return this.record(info.key, estimateModelPartBytes(info, measured.contextLength), measured);
  }

  /** One write at a time, each of the whole state; temp file + rename, so a crash leaves the old file. */
  private save(): Promise<void> {
    const text = JSON.stringify(this.corrections, null, 2) + '\n';
    this.writes = this.writes.then(async () => {
      const temporary = `${this.file}.${process.pid}.tmp`;
      try {
        await mkdir(path.dirname(this.file), {recursive: true, mode: 0o700});
        await writeFile(temporary, text, {mode: 0o600});
        await rename(temporary, this.file);
      } catch (error) {
        await rm(temporary, {force: true}).catch(() => undefined);
        this.log.warn('estimates-file-not-saved', {file: this.file, reason: error instanceof Error ? error.message : String(error)});
      }
    });
    return this.writes;
  }
}
