/**
 * The "AI" badge needs a known generator's signature: an ordinary camera JPEG whose EXIF comment holds text (a
 * camera's name, a caption) is not AI-generated, and its comment is not a prompt. Both directions.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generationFromUserComment, parseGenerationText } from '../src/library/metadata/generationPrompt';
import { readImageMetadata } from '../src/library/metadata/readMetadata';

const CAPTIONS = [
  'OLYMPUS DIGITAL CAMERA',
  'SONY DSC',
  "Grandma's 80th birthday, Lake Como",
  'a red fox in the snow, golden hour, 85mm',
  'Steps: the long way up to the castle',
  'Hike day 2\nSteps: 23000',
  'a duck on a pond\nNegative prompt: none, I liked it',
  '{"caption": "a duck on a pond", "rating": 5}',
  '{"prompt": "a duck on a pond"}',
];

describe('text without a generator signature', () => {
  it.each(CAPTIONS)('EXIF UserComment %j is not a prompt', (text) => {
    expect(generationFromUserComment(text)).toBeNull();
  });

  it.each(['Description', 'Comment', 'UserComment', 'Title', 'prompt', 'parameters', 'Dream'])('PNG %s chunks of plain text are not prompts', (keyword) => {
    for (const text of CAPTIONS) expect(parseGenerationText([{ keyword, text }])).toBeNull();
  });

  it('a camera JPEG with a comment keeps the comment as capture info, with no generation', async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#708090' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'OLYMPUS IMAGING CORP.', Model: 'E-M5' }, IFD2: { UserComment: 'Holiday at the lake with the kids' } })
      .toBuffer();
    const { capture, generation } = await readImageMetadata(new Blob([jpeg]), 'jpeg');
    expect(capture?.camera).toMatch(/E-M5/);
    expect(capture?.userComment).toBe('Holiday at the lake with the kids');
    expect(generation).toBeNull();
  });
});

describe('known generator signatures', () => {
  it('AUTOMATIC1111: a "Steps: …, Sampler: …" settings line, in a UserComment or a parameters chunk', () => {
    const text = 'a duck on a pond\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 3';
    const expected = { tool: 'automatic1111', prompt: 'a duck on a pond', negativePrompt: 'blurry', settings: { Steps: '20', Sampler: 'Euler a', 'CFG scale': '7', Seed: '3' } };
    expect(generationFromUserComment(text)).toEqual(expected);
    expect(parseGenerationText([{ keyword: 'parameters', text }])).toEqual(expected);
    expect(generationFromUserComment('a duck\r\nSteps: 20, Seed: 3')).toMatchObject({ tool: 'automatic1111', prompt: 'a duck' });
  });

  it('ComfyUI: an API graph in the prompt chunk', () => {
    const graph = {
      '1': { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk' } },
      '2': { class_type: 'KSampler', inputs: { positive: ['1', 0], steps: 20, seed: 5 } },
    };
    expect(parseGenerationText([{ keyword: 'prompt', text: JSON.stringify(graph) }])).toMatchObject({ tool: 'comfyui', prompt: 'a lighthouse at dusk' });
  });

  it('NovelAI: its Software name, or a Comment with "uc"', () => {
    expect(parseGenerationText([{ keyword: 'Software', text: 'NovelAI' }, { keyword: 'Description', text: 'cat, space' }])).toMatchObject({ tool: 'novelai', prompt: 'cat, space' });
    expect(generationFromUserComment('{"prompt": "cat, space", "uc": "lowres", "steps": 28}')).toMatchObject({ tool: 'novelai', negativePrompt: 'lowres' });
  });

  it('Fooocus: a parameters JSON beside its scheme chunk', () => {
    const parameters = JSON.stringify({ prompt: 'a smiling goldfish', negative_prompt: '', steps: 30 });
    expect(parseGenerationText([{ keyword: 'parameters', text: parameters }, { keyword: 'fooocus_scheme', text: 'fooocus' }])).toMatchObject({ tool: 'fooocus', prompt: 'a smiling goldfish' });
  });

  it('InvokeAI: invokeai_metadata, sd-metadata and the Dream command line', () => {
    const modern = { positive_prompt: 'a brass robot', negative_prompt: 'rust', seed: 7, steps: 30, cfg_scale: 7.5, scheduler: 'euler', model: { model_name: 'sdxl-base' } };
    expect(parseGenerationText([{ keyword: 'invokeai_metadata', text: JSON.stringify(modern) }])).toEqual({
      tool: 'invokeai',
      prompt: 'a brass robot',
      negativePrompt: 'rust',
      settings: { Steps: '30', Sampler: 'euler', 'CFG scale': '7.5', Seed: '7', Model: 'sdxl-base' },
    });
    const legacy = { model_weights: 'stable-diffusion-1.5', image: { prompt: [{ prompt: 'a brass robot', weight: 1 }], seed: 42, steps: 50, sampler: 'k_lms', cfg_scale: 7.5 } };
    expect(parseGenerationText([{ keyword: 'sd-metadata', text: JSON.stringify(legacy) }])).toMatchObject({ tool: 'invokeai', prompt: 'a brass robot', settings: { Seed: '42', Model: 'stable-diffusion-1.5' } });
    expect(parseGenerationText([{ keyword: 'Dream', text: '"a brass \\"robot\\"" -s 50 -S 42 -W 512 -H 512 -C 7.5 -A k_lms' }])).toEqual({
      tool: 'invokeai',
      prompt: 'a brass "robot"',
      negativePrompt: null,
      settings: { Steps: '50', Seed: '42', 'CFG scale': '7.5', Sampler: 'k_lms' },
    });
  });

  it('other tools: a JSON record with a prompt and generation settings', () => {
    expect(generationFromUserComment('{"prompt": "a duck on a pond", "seed": 1234, "steps": 25}')).toMatchObject({ tool: 'unknown', prompt: 'a duck on a pond', settings: { Seed: '1234', Steps: '25' } });
    expect(parseGenerationText([{ keyword: 'Comment', text: '{"prompt": "a duck", "negative_prompt": "blurry"}' }])).toMatchObject({ tool: 'unknown', negativePrompt: 'blurry' });
  });
});
