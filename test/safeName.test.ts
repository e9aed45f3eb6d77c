import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FileName } from '../src/ui/FileName';
import { showBidiControls } from '../src/ui/safeName';

describe('showBidiControls', () => {
  it('shows a right-to-left override as text, so "photo‮gpj.exe" cannot pass for photoexe.jpg', () => {
    expect(showBidiControls('photo\u202Egpj.exe')).toBe('photo[U+202E]gpj.exe');
  });

  it('shows every bidi control: embeddings, overrides, isolates and the implicit marks', () => {
    const controls = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c];
    for (const c of controls) {
      const hex = c.toString(16).toUpperCase().padStart(4, '0');
      expect(showBidiControls(`a${String.fromCharCode(c)}b`)).toBe(`a[U+${hex}]b`);
    }
    expect(showBidiControls('\u2067\u2067x\u2069')).toBe('[U+2067][U+2067]x[U+2069]');
  });

  it('leaves right-to-left letters, emoji, joiners and ordinary names alone', () => {
    for (const name of ['صورة שלום.jpg', 'sunset 🌅 on the 🏖️ beach 📷.jpg', 'IMG_0001.JPG', 'a\u200Db\u200Cc.png', '']) {
      expect(showBidiControls(name)).toBe(name);
    }
  });
});

describe('FileName', () => {
  it('isolates the name in <bdi> and shows its controls', () => {
    expect(renderToStaticMarkup(createElement(FileName, { text: 'photo\u202Egpj.exe' }))).toBe('<bdi>photo[U+202E]gpj.exe</bdi>');
    expect(renderToStaticMarkup(createElement(FileName, { text: '<b>x</b>.jpg' }))).toBe('<bdi>&lt;b&gt;x&lt;/b&gt;.jpg</bdi>');
  });
});
