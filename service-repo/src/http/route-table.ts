/**
 * The methods each route path answers, so a request for a known path with another method gets 405
 * with an `Allow` header instead of a 404 that suggests the path does not exist. Fastify's router
 * has no "which methods match this path" query; the table is filled from the onRoute hook.
 */
interface Entry {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/** find-my-way syntax: `:name` is one path segment, `*` the rest of the path. */
function toPattern(url: string): RegExp {
  const source = url.split(/(:[A-Za-z0-9_]+|\*)/).map((part) => {
    if (part === '*') return '.*';
    if (part.startsWith(':')) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return new RegExp(`^${source}$`);
}

export class RouteTable {
  private readonly entries = new Map<string, Entry>();

  add(url: string, methods: string | readonly string[]): void {
    let entry = this.entries.get(url);
    if (entry === undefined) {
      entry = { pattern: toPattern(url), methods: new Set() };
      this.entries.set(url, entry);
    }
    for (const method of typeof methods === 'string' ? [methods] : methods) entry.methods.add(method.toUpperCase());
  }

  /** The methods some route answers at `path` (without its query), sorted; empty when none. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const entry of this.entries.values()) {
      if (entry.pattern.test(path)) for (const method of entry.methods) methods.add(method);
    }
    return [...methods].sort();
  }
}
