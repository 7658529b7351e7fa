/** Types of eslint.architecture.js (plain JavaScript, so that eslint.config.js can load it). */
export interface Layer {
  readonly folder: string;
  readonly mayImport: readonly string[];
}
export function parseLayers(markdown: string): Layer[];
export function readLayers(): Layer[];
