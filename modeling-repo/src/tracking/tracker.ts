/** How a run ended. */
export type RunStatus = 'completed' | 'failed';

/**
 * The hooks a training run calls on an experiment tracker. Every hook returns at once (work
 * happens in the background) except `onRunEnd`, which waits a bounded time for the backlog.
 */
export interface Tracker {
  onRunStart(config: unknown, runDir: string): void;
  onScalars(step: number, record: Readonly<Record<string, number>>): void;
  /** `kind` says what the file is; `bundle` (the exported model folder) is uploaded as the output model. */
  onArtifact(path: string, kind: string): void;
  onRunEnd(status: RunStatus): Promise<void>;
}
