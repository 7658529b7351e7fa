/** Typed readers for node attributes; a missing required attribute or a wrong kind names the attribute. */
import type { Attrs, Tensor } from './ir.js';

function wrongKind(name: string, want: string, got: string): Error {
  return new Error(`attribute "${name}" should be ${want}, got ${got}`);
}

export function intAttr(attrs: Attrs, name: string, fallback?: number): number {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) {
      throw new Error(`missing attribute "${name}"`);
    }
    return fallback;
  }
  if (a.kind !== 'int') {
    throw wrongKind(name, 'int', a.kind);
  }
  return a.value;
}

export function floatAttr(attrs: Attrs, name: string, fallback?: number): number {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) {
      throw new Error(`missing attribute "${name}"`);
    }
    return fallback;
  }
  if (a.kind !== 'float' && a.kind !== 'int') {
    throw wrongKind(name, 'float', a.kind);
  }
  return a.value;
}

export function intsAttr(attrs: Attrs, name: string, fallback?: readonly number[]): readonly number[] {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) {
      throw new Error(`missing attribute "${name}"`);
    }
    return fallback;
  }
  if (a.kind !== 'ints') {
    throw wrongKind(name, 'ints', a.kind);
  }
  return a.value;
}

/** `ints` attribute if present, else undefined (for attributes whose absence means something). */
export function optionalInts(attrs: Attrs, name: string): readonly number[] | undefined {
  return attrs[name] === undefined ? undefined : intsAttr(attrs, name);
}

export function stringAttr(attrs: Attrs, name: string, fallback?: string): string {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) {
      throw new Error(`missing attribute "${name}"`);
    }
    return fallback;
  }
  if (a.kind !== 'string') {
    throw wrongKind(name, 'string', a.kind);
  }
  return a.value;
}

export function tensorAttr(attrs: Attrs, name: string): Tensor {
  const a = attrs[name];
  if (a?.kind !== 'tensor') {
    throw new Error(`missing tensor attribute "${name}"`);
  }
  return a.value;
}

export function floatsAttr(attrs: Attrs, name: string, fallback: readonly number[] = []): readonly number[] {
  const a = attrs[name];
  if (a === undefined) {
    return fallback;
  }
  if (a.kind !== 'floats') {
    throw wrongKind(name, 'floats', a.kind);
  }
  return a.value;
}
