import { describe, expect, it } from 'vitest';
import { isJsonObject, jsonEqual } from '../../../src/domain/jsonValue';

describe('isJsonObject', () => {
  it.each([
    { value: {}, expected: true },
    { value: { a: 1 }, expected: true },
    { value: [], expected: false },
    { value: null, expected: false },
    { value: 'x', expected: false },
    { value: undefined, expected: false },
  ])('$value → $expected', ({ value, expected }) => {
    expect(isJsonObject(value)).toBe(expected);
  });
});

describe('jsonEqual', () => {
  it.each([
    { a: 1, b: 1.0, equal: true },
    { a: 'a', b: 'a', equal: true },
    { a: 1, b: '1', equal: false },
    { a: { x: 1, y: { z: [1, 2] } }, b: { y: { z: [1, 2] }, x: 1 }, equal: true },
    { a: { x: 1 }, b: { x: 1, y: 2 }, equal: false },
    { a: { x: 1, z: 2 }, b: { x: 1, y: 2 }, equal: false },
    { a: { x: 1 }, b: { x: 2 }, equal: false },
    { a: [1, 2], b: [2, 1], equal: false },
    { a: [1, 2], b: [1, 2, 3], equal: false },
    { a: [1], b: { 0: 1 }, equal: false },
    { a: { 0: 1 }, b: [1], equal: false },
    { a: { value: 1 }, b: 1, equal: false },
    { a: null, b: {}, equal: false },
  ])('$a vs $b → $equal', ({ a, b, equal }) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
});
