import type { ModelCard } from '../export/index.js';

/** A member bundle as the merge and the out-of-fold scoring read it. */
export interface LoadedMember {
  readonly dir: string;
  readonly card: ModelCard;
  readonly modelBytes: Uint8Array;
}
