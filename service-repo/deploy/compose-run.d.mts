/** Types of compose-run.mjs (the `docker run` equivalent of `docker compose up -d`). */
export declare function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string;

export interface RunSpec {
  readonly name: string;
  readonly container: string;
  readonly image: string;
  readonly args: string[];
}

export declare function runSpecs(text: string, env: Readonly<Record<string, string | undefined>>): RunSpec[];
