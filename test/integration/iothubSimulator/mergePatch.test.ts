// The repository's one merge-patch (simulator, TwinRegistry fake, domain tests) against RFC 7396's own
// examples (Appendix A), plus what the simulator's storage and hostile keys need from it.
import { describe, expect, it } from 'vitest';
import { applyMergePatch, mergePatch } from '../../local/iothubSimulator/mergePatch';

describe('applyMergePatch', () => {
  // RFC 7396 Appendix A, "Example Test Cases", row by row.
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (original, patch, result) => {
    expect(applyMergePatch(original, patch)).toEqual(result);
  });

  it('keeps nulls inside arrays: an array is a value, not a patch', () => {
    expect(applyMergePatch({}, { list: [{ a: null }, null] })).toEqual({ list: [{ a: null }, null] });
  });
});

describe('mergePatch', () => {
  it('changes neither input, shares untouched subtrees and copies what it takes from the patch', () => {
    const current = { untouched: { deep: [1] }, changed: { a: 1 } };
    const patch = { changed: { b: 2 }, added: { list: [{ x: 1 }] } };
    const before = structuredClone({ current, patch });

    const merged = mergePatch<unknown>(current, patch);

    expect({ current, patch }).toEqual(before);
    expect(merged).toEqual({ untouched: { deep: [1] }, changed: { a: 1, b: 2 }, added: { list: [{ x: 1 }] } });
    expect(merged['untouched']).toBe(current.untouched);
    expect(merged['added']).not.toBe(patch.added);
    expect((merged['added'] as { list: unknown[] }).list).not.toBe(patch.added.list);
  });

  it('keeps existing keys in place and appends new ones in patch order', () => {
    expect(Object.keys(mergePatch<unknown>({ b: 1, a: 1, c: 1 }, { z: 1, a: 2, y: 1, c: null }))).toEqual(['b', 'a', 'z', 'y']);
  });

  it('treats __proto__ and constructor as ordinary keys', () => {
    const current = JSON.parse('{"__proto__": {"value": 1}, "kept": true}') as Record<string, unknown>;
    const patch = JSON.parse('{"__proto__": {"other": 2}, "constructor": {"x": 1}, "list": [{"__proto__": 3}]}') as Record<string, unknown>;

    const merged = mergePatch(current, patch);

    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__', 'kept', 'constructor', 'list']);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ value: 1, other: 2 });
    expect(merged['constructor']).toEqual({ x: 1 });
    expect(Object.keys((merged['list'] as object[])[0]!)).toEqual(['__proto__']);
    expect(mergePatch(current, JSON.parse('{"__proto__": null}') as Record<string, unknown>)).toEqual({ kept: true });
  });
});
