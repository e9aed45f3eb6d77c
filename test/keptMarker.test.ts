import { describe, expect, it } from 'vitest';
import { evictionNotice, parseMarker, whatWasEvicted } from '../src/state/keptMarker';

describe('the note of what was stored', () => {
  it('reads what it wrote, and nothing from junk', () => {
    expect(parseMarker(JSON.stringify({ models: ['clip-tiny'], library: 12 }))).toEqual({ models: ['clip-tiny'], library: 12 });
    expect(parseMarker(null)).toBeNull();
    expect(parseMarker('{')).toBeNull();
    expect(parseMarker('null')).toBeNull();
    expect(parseMarker(JSON.stringify({ models: 'x', library: -3 }))).toEqual({ models: [], library: 0 });
  });
});

describe('what the browser evicted', () => {
  const had = { models: ['clip-vit-b32'], library: 240 };

  it('says nothing on a first visit', () => {
    expect(whatWasEvicted(null, { models: [], library: 0 })).toBeNull();
  });

  it('says nothing when everything is still there', () => {
    expect(whatWasEvicted(had, { models: ['clip-vit-b32'], library: 240 })).toBeNull();
    // A different count is the library changing, not an eviction.
    expect(whatWasEvicted(had, { models: ['clip-vit-b32'], library: 3 })).toBeNull();
  });

  it('says nothing after the app deleted them itself (the note says none)', () => {
    expect(whatWasEvicted({ models: [], library: 0 }, { models: [], library: 0 })).toBeNull();
  });

  it('says nothing where the load could not tell', () => {
    expect(whatWasEvicted(had, { models: null, library: null })).toBeNull();
  });

  it('finds the library gone, the models gone, or both', () => {
    expect(whatWasEvicted(had, { models: ['clip-vit-b32'], library: 0 })).toEqual({ models: [], library: 240 });
    expect(whatWasEvicted(had, { models: [], library: 240 })).toEqual({ models: ['clip-vit-b32'], library: 0 });
    expect(whatWasEvicted(had, { models: [], library: 0 })).toEqual({ models: ['clip-vit-b32'], library: 240 });
    // Only models were ever stored (no photos yet).
    expect(whatWasEvicted({ models: ['clip-tiny'], library: 0 }, { models: [], library: 0 })).toEqual({ models: ['clip-tiny'], library: 0 });
  });
});

describe('the notice', () => {
  it('says plainly what was deleted and what to do', () => {
    expect(evictionNotice({ models: [], library: 240 })).toBe(
      'The browser deleted this site’s saved library (240 photos’ decisions and scores) to free space. Drop the folder again to analyse it. To stop this, choose “Keep my data on this device” in Storage.',
    );
    expect(evictionNotice({ models: ['clip-tiny'], library: 1 })).toBe(
      'The browser deleted this site’s saved library (1 photo’s decisions and scores) and the downloaded model (clip-tiny) to free space. Drop the folder again to analyse it. It is downloaded again, which needs a connection. To stop this, choose “Keep my data on this device” in Storage.',
    );
    expect(evictionNotice({ models: ['a', 'b'], library: 0 })).toBe(
      'The browser deleted the downloaded models (a, b) to free space. They are downloaded again, which needs a connection. To stop this, choose “Keep my data on this device” in Storage.',
    );
  });
});
