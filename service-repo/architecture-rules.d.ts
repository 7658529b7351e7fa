/** Types of architecture-rules.js, for test/architecture.test.ts. */
export interface Layer {
  readonly layer: string;
  readonly folders: readonly string[];
  readonly imports: readonly string[];
  /** The file other layers may import; undefined when none may. */
  readonly surface: string | undefined;
}

export function readLayers(markdown?: string): Layer[];
export function boundariesConfig(): object[];
