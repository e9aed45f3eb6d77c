import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Bits, toFloat16Bits } from '../src/engine/float16';

// Bit patterns from the IEEE 754 binary16 definition.
const known: [number, number][] = [
  [0, 0x0000],
  [-0, 0x8000],
  [1, 0x3c00],
  [-2, 0xc000],
  [0.5, 0x3800],
  [65504, 0x7bff], // largest finite half
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -24, 0x0001], // smallest subnormal
  [0.333251953125, 0x3555],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
];

describe('float16 conversion', () => {
  it.each(known)('%d ⇄ 0x%s', (value, bits) => {
    expect(float32ToFloat16Bits(value)).toBe(bits);
    expect(Object.is(float16BitsToFloat32(bits), value)).toBe(true);
  });

  it('rounds half to even and overflows to infinity', () => {
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
    expect(float32ToFloat16Bits(1e-9)).toBe(0);
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true);
  });

  it('round-trips CLIP-range values within half precision', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 2.2);
    const back = fromFloat16Bits(toFloat16Bits(values));
    for (let i = 0; i < values.length; i++) expect(Math.abs(back[i] - values[i])).toBeLessThanOrEqual(2 ** -10 * 2);
  });
});
