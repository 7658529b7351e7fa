import { Document, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { Config } from './schema.js';

/**
 * The resolved configuration as YAML, loadable again with `loadSavedConfig`. With `sources`, each
 * value carries a trailing comment saying where it came from, so a saved run explains itself.
 */
export function configToYaml(config: Config, sources?: Readonly<Record<string, string>>): string {
  const doc = new Document(config);
  if (sources !== undefined) annotate(doc.contents, [], sources);
  doc.commentBefore = ' Resolved configuration of this run (defaults < experiment < command line).';
  return doc.toString({ lineWidth: 0 });
}

function annotate(node: YamlNode | null, prefix: readonly string[], sources: Readonly<Record<string, string>>): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const path = [...prefix, String(pair.key.value)];
    const value = pair.value as YamlNode | null;
    if (isMap(value)) {
      annotate(value, path, sources);
      continue;
    }
    const source = sources[path.join('.')];
    if (source === undefined || value === null) continue;
    // Lists go on one line so the comment stays next to the key it describes.
    if (isSeq(value)) value.flow = true;
    value.comment = ` ${source}`;
  }
}
