import { describe, expect, it } from '@jest/globals';
import { ConfigError } from './errors.js';
import { interpolate, resolveString } from './interpolate.js';
import { applyOverrides, emptyMerged, mergeLayer, parseOverride, type Layer, type Merged } from './overrides.js';

function layer(values: Record<string, unknown>, fallback: string, origins: Record<string, string> = {}): Layer {
  return { values, origins, fallback };
}

const base: Merged = mergeLayer(emptyMerged(), layer({
  seed: 1,
  train: { epochs: 10, batchSize: 32, earlyStopping: { patience: 3, minDelta: 0.001 }, augment: { dihedral: true } },
  data: { sources: ['a'], synthetic: { enabled: false, count: 8 } },
}, 'defaults.yaml', { 'train.epochs': 'defaults.yaml:4' }));

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('mergeLayer', () => {
  it('merges mappings key by key, replaces lists and records each key’s source', () => {
    const merged = mergeLayer(base, layer({ train: { epochs: 3 }, data: { sources: ['b', 'c'] } }, 'exp.yaml', { 'train.epochs': 'exp.yaml:2' }));
    expect(merged.tree).toMatchObject({ seed: 1, train: { epochs: 3, batchSize: 32 }, data: { sources: ['b', 'c'] } });
    expect(merged.sources['train.epochs']).toBe('exp.yaml:2');
    expect(merged.sources['data.sources']).toBe('exp.yaml');
    expect(merged.sources['train.batchSize']).toBe('defaults.yaml');
    // The base is not modified.
    expect(base.tree).toMatchObject({ train: { epochs: 10 } });
  });

  it('reports every unknown key with its source and a suggestion', () => {
    const error = errorOf(() => mergeLayer(base, layer({ train: { epoch: 3, bogus: 1 } }, 'exp.yaml', { 'train.epoch': 'exp.yaml:5' })));
    expect(error.issues).toHaveLength(2);
    expect(error.message).toContain("config key 'train.epoch' (from exp.yaml:5): unknown key; did you mean 'train.epochs'?");
    expect(error.message).toContain("'train.bogus' (from exp.yaml)");
  });

  it('rejects a scalar where a section is expected', () => {
    const error = errorOf(() => mergeLayer(base, layer({ train: 5 }, 'exp.yaml')));
    expect(error.message).toContain("'train' (from exp.yaml): is a section");
  });
});

describe('parseOverride', () => {
  it('reads values as YAML scalars and lists', () => {
    expect(parseOverride('train.epochs=3').value).toBe(3);
    expect(parseOverride('train.lr=1e-3').value).toBe(0.001);
    expect(parseOverride('data.synthetic.enabled=true').value).toBe(true);
    expect(parseOverride('data.sources=[x.tar, y]').value).toEqual(['x.tar', 'y']);
    expect(parseOverride('model.backbone.url=').value).toBe('');
    expect(parseOverride('model.name=a=b').value).toBe('a=b');
    expect(parseOverride('data.labels=${oc.env:X,d}/y.csv').value).toBe('${oc.env:X,d}/y.csv');
  });

  it('knows the Hydra prefixes', () => {
    expect(parseOverride('+data.synthetic.size=16')).toMatchObject({ op: 'add', path: ['data', 'synthetic', 'size'] });
    expect(parseOverride('++seed=2')).toMatchObject({ op: 'force' });
    expect(parseOverride('~data.synthetic.size')).toMatchObject({ op: 'delete' });
  });

  it('names a malformed argument', () => {
    expect(() => parseOverride('train..epochs=3')).toThrow("command line 'train..epochs=3': expected key=value");
    expect(() => parseOverride('train.epochs')).toThrow("missing '=value'");
    expect(() => parseOverride('data.sources=[a')).toThrow("config key 'data.sources' (from command line 'data.sources=[a'): cannot read the value as YAML");
  });
});

describe('applyOverrides', () => {
  it('applies in order, the last one winning', () => {
    const merged = applyOverrides(base, ['train.epochs=3', 'train.epochs=5']);
    expect(merged.tree).toMatchObject({ train: { epochs: 5 } });
    expect(merged.sources['train.epochs']).toBe("command line 'train.epochs=5'");
  });

  it('rejects an unknown key, naming the argument', () => {
    const error = errorOf(() => applyOverrides(base, ['train.epohcs=3']));
    expect(error.key).toBe('train.epohcs');
    expect(error.source).toBe("command line 'train.epohcs=3'");
    expect(error.message).toContain("did you mean 'train.epochs'");
  });

  it('adds with + only keys the schema has and that are not set', () => {
    const added = applyOverrides(base, ['+data.synthetic.size=16']);
    expect(added.tree).toMatchObject({ data: { synthetic: { size: 16 } } });
    expect(() => applyOverrides(base, ['+data.synthetic.colour=1'])).toThrow("'data.synthetic.colour' (from command line '+data.synthetic.colour=1'): unknown key");
    expect(() => applyOverrides(base, ['+train.epochs=1'])).toThrow('is already set (from defaults.yaml:4)');
    expect(() => applyOverrides(base, ['data.synthetic.size=16'])).toThrow("use '+data.synthetic.size=...'");
  });

  it('sets or adds with ++ and deletes with ~', () => {
    const forced = applyOverrides(base, ['++data.synthetic.size=16', '++seed=9']);
    expect(forced.tree).toMatchObject({ seed: 9, data: { synthetic: { size: 16 } } });
    const deleted = applyOverrides(forced, ['~data.synthetic.size']);
    expect(deleted.tree).toMatchObject({ data: { synthetic: { enabled: false, count: 8 } } });
    expect(deleted.sources['data.synthetic.size']).toBeUndefined();
    expect(() => applyOverrides(forced, ['~seed=3'])).toThrow('its value is 9, not 3');
    expect(() => applyOverrides(base, ['~data.synthetic.size'])).toThrow('cannot delete a key that is not set');
  });

  it('merges a mapping given for a section', () => {
    const merged = applyOverrides(base, ['train.earlyStopping={patience: 0}']);
    expect(merged.tree).toMatchObject({ train: { earlyStopping: { patience: 0, minDelta: 0.001 } } });
  });
});

describe('interpolate', () => {
  it('takes environment variables, falling back to the default when unset or empty', () => {
    expect(resolveString('${oc.env:DATA,../d}/x.csv', { DATA: '/data' })).toEqual({ text: '/data/x.csv', used: ['DATA'] });
    expect(resolveString('${oc.env:DATA,../d}/x.csv', {}).text).toBe('../d/x.csv');
    expect(resolveString('${oc.env:DATA,../d}/x.csv', { DATA: '' }).text).toBe('../d/x.csv');
    expect(resolveString("${oc.env:DATA,'a,b'}", {}).text).toBe('a,b');
    expect(resolveString('\\${oc.env:DATA}', {}).text).toBe('${oc.env:DATA}');
  });

  it('interpolates strings inside lists and notes the variable in the source', () => {
    const merged = mergeLayer(base, layer({ data: { sources: ['${oc.env:D,x}/a.tar', 'b'] } }, 'exp.yaml'));
    const out = interpolate(merged, { D: '/d' });
    expect(out.tree).toMatchObject({ data: { sources: ['/d/a.tar', 'b'] } });
    expect(out.sources['data.sources']).toBe('exp.yaml ($D from the environment)');
  });

  it('names the key whose variable is missing or whose expression is unsupported', () => {
    const merged = mergeLayer(base, layer({ data: { sources: ['${oc.env:NOPE}'] }, train: { augment: { dihedral: '${other.key}' } } }, 'exp.yaml'));
    const error = errorOf(() => interpolate(merged, {}));
    expect(error.message).toContain("'data.sources' (from exp.yaml): environment variable NOPE is not set");
    expect(error.message).toContain("'train.augment.dihedral' (from exp.yaml): unsupported interpolation '${other.key}'");
  });
});
