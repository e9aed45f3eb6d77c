import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeUserComment, exifDateToMs, exifOffsetMinutes, readCaptureInfo } from '../src/library/metadata/exif';
import {
  generationFromUserComment,
  parseGenerationText,
  promptPhrases,
  type GenerationInfo,
} from '../src/library/metadata/generationPrompt';
import { PNG_TEXT_LIMITS, readPngMetadataChunks, readPngText } from '../src/library/metadata/pngText';
import { readImageMetadata } from '../src/library/metadata/readMetadata';

const AI_DIR = join(import.meta.dirname, '../../shared/images/ai-generated');
const REAL_DIR = join(import.meta.dirname, '../../shared/images/real');
const shared = (name: string) => new Blob([readFileSync(join(AI_DIR, name))]);
const MiB = 1024 * 1024;

// --- a tiny PNG writer -------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** length + type + data + CRC; `declaredLength` lies about the length when given. */
function chunk(type: string, data: Uint8Array, declaredLength = data.length): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(declaredLength >>> 0, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

const tEXt = (keyword: string, text: string) => chunk('tEXt', Buffer.concat([latin1(keyword), Buffer.from([0]), latin1(text)]));
const zTXt = (keyword: string, compressed: Uint8Array) =>
  chunk('zTXt', Buffer.concat([latin1(keyword), Buffer.from([0, 0]), compressed]));
function iTXt(keyword: string, text: Uint8Array, compress = false): Buffer {
  const body = compress ? deflateSync(text) : text;
  // keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text
  return chunk('iTXt', Buffer.concat([latin1(keyword), Buffer.from([0, compress ? 1 : 0, 0]), latin1('en'), Buffer.from([0, 0]), body]));
}

/** A valid 1×1 RGB PNG with `before` chunks ahead of IDAT and `after` chunks behind it. */
function png(before: Buffer[], after: Buffer[] = [], idat: Buffer = chunk('IDAT', deflateSync(Buffer.from([0, 200, 100, 50])))): Uint8Array<ArrayBuffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return new Uint8Array(Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...before,
    idat,
    ...after,
    chunk('IEND', new Uint8Array(0)),
  ]));
}

/** A zlib stream of `mib` MiB of zeros, about 1 KiB per MiB: full flushes make each MiB the same bytes. */
function zeroBomb(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((((mib * MiB) % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(mib).fill(block), deflateRawSync(Buffer.alloc(0)), adler]);
}

/** Records what is read, to check that metadata reads skip the image data. */
class CountingBlob extends Blob {
  bytesRead = 0;
  override slice(start?: number, end?: number, type?: string): Blob {
    const s = start ?? 0;
    this.bytesRead += Math.max(0, Math.min(end ?? this.size, this.size) - s);
    return super.slice(start, end, type);
  }
  override arrayBuffer(): Promise<ArrayBuffer> {
    this.bytesRead += this.size;
    return super.arrayBuffer();
  }
}

// --- shared AI images -----------------------------------------------------------------------------------

describe('generation prompts of the shared AI-generated PNGs (SOURCES.md)', () => {
  const cases: [string, Partial<GenerationInfo> & { promptContains?: string }][] = [
    [
      'comfyui_sdxlturbo_example.png',
      {
        tool: 'comfyui',
        prompt: 'beautiful landscape scenery glass bottle with a galaxy inside cute fennec fox snow HDR sunset',
        negativePrompt: 'text, watermark',
      },
    ],
    [
      'comfyui_hypernetwork_example_output.png',
      { tool: 'comfyui', prompt: 'woman (fennec ears fox ears:1.1), marble statue, museum', negativePrompt: 'text, watermark' },
    ],
    [
      'comfyui_sdxl_simple_example.png',
      {
        tool: 'comfyui',
        prompt: 'evening sunset scenery blue sky nature, glass bottle with a galaxy in it',
        negativePrompt: 'text, watermark',
      },
    ],
    ['a1111_parameters_1x1.png', { tool: 'automatic1111', prompt: 'photo of a duck', negativePrompt: 'monochrome' }],
    ['novelai_comment_1x1.png', { tool: 'novelai', promptContains: 'cat, space, icon' }],
    ['fooocus_parameters_1x1.png', { tool: 'fooocus', prompt: 'a smiling goldfish', negativePrompt: null }],
  ];

  it.each(cases)('%s', async (name, expected) => {
    const { promptContains, ...fields } = expected;
    const { generation, capture } = await readImageMetadata(shared(name), 'png');
    expect(capture).toBeNull();
    expect(generation).toMatchObject(fields);
    if (promptContains) expect(generation?.prompt).toContain(promptContains);
  });

  it('keeps the settings each tool writes', async () => {
    const a1111 = (await readImageMetadata(shared('a1111_parameters_1x1.png'), 'png')).generation;
    expect(a1111?.settings).toMatchObject({ Steps: '15', Sampler: 'UniPC', 'CFG scale': '5', Seed: '235284042' });
    expect(a1111?.settings.Model).toBe('realistic_realisticVisionV20_v20');

    const turbo = (await readImageMetadata(shared('comfyui_sdxlturbo_example.png'), 'png')).generation;
    // SamplerCustom: the sampler name and steps sit behind links (KSamplerSelect, SDTurboScheduler).
    expect(turbo?.settings).toMatchObject({ Sampler: 'euler_ancestral', Steps: '1', Model: 'sd_xl_turbo_1.0_fp16.safetensors' });
    const hyper = (await readImageMetadata(shared('comfyui_hypernetwork_example_output.png'), 'png')).generation;
    // The model input goes through the hypernetwork loader to the checkpoint.
    expect(hyper?.settings).toMatchObject({ Steps: '20', Seed: '572636856966402', Model: 'v1-5-pruned-emaonly.ckpt' });

    const novelai = (await readImageMetadata(shared('novelai_comment_1x1.png'), 'png')).generation;
    expect(novelai?.negativePrompt).toMatch(/^lowres, bad anatomy/);
    expect(novelai?.settings).toMatchObject({ Steps: '50', Seed: '2253955223', Model: 'Stable Diffusion 1D44365E' });

    const fooocus = (await readImageMetadata(shared('fooocus_parameters_1x1.png'), 'png')).generation;
    expect(fooocus?.settings).toMatchObject({ Model: 'juggernautXL_v8Rundiffusion', Steps: '30', Seed: '6952411511246973023' });
  });

  it('reads the text chunks without the image data', async () => {
    const blob = new CountingBlob([readFileSync(join(AI_DIR, 'comfyui_sdxl_simple_example.png'))]);
    const text = await readPngText(blob);
    expect(text.map((c) => c.keyword)).toEqual(['prompt', 'workflow']);
    expect(blob.bytesRead).toBeLessThan(blob.size / 4);
  });

  it('gives tag phrases for the shared prompts', async () => {
    const phrases = async (name: string) => promptPhrases((await readImageMetadata(shared(name), 'png')).generation?.prompt ?? '');
    expect(await phrases('comfyui_hypernetwork_example_output.png')).toEqual(['woman fennec ears fox ears', 'marble statue', 'museum']);
    expect(await phrases('comfyui_sdxl_simple_example.png')).toEqual([
      'evening sunset scenery blue sky nature',
      'glass bottle with a galaxy in it',
    ]);
    expect(await phrases('a1111_parameters_1x1.png')).toEqual(['photo of a duck']);
    expect(await phrases('novelai_comment_1x1.png')).toEqual(['cat', 'space', 'icon']);
    expect(await phrases('fooocus_parameters_1x1.png')).toEqual(['a smiling goldfish']);
    // One 14-word sentence: longer than a phrase, so no tags.
    expect(await phrases('comfyui_sdxlturbo_example.png')).toEqual([]);
  });
});

// --- hostile PNGs ---------------------------------------------------------------------------------------

describe('PNG text chunks from hostile files', () => {
  it('writes PNGs that a decoder accepts (the helper is right)', async () => {
    const meta = await sharp(png([tEXt('a', 'b')], [zTXt('c', deflateSync(latin1('d')))])).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 1, 1]);
  });

  it('caps a 1 MB prompt at 5,000 characters', async () => {
    const long = 'a red fox, '.repeat(100_000);
    const { generation } = await readImageMetadata(new Blob([png([tEXt('parameters', `${long}\nSteps: 20, Seed: 1`)])]), 'png');
    expect(generation?.tool).toBe('automatic1111');
    expect(generation?.prompt).toHaveLength(5001);
    expect(generation?.prompt.endsWith('…')).toBe(true);
    expect(generation?.settings).toEqual({ Steps: '20', Seed: '1' });
    const novelAi = parseGenerationText([{ keyword: 'Comment', text: JSON.stringify({ prompt: long, uc: 'blurry' }) }]);
    expect(novelAi?.prompt).toHaveLength(5001);
  });

  it('returns HTML and script text verbatim (the UI renders text, nothing is altered or lost)', async () => {
    const prompt = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" \'single\'';
    const negative = '<b>bold</b> </textarea><!--';
    const parameters = `${prompt}\nNegative prompt: ${negative}\nSteps: 20, Sampler: "<i>euler</i>, a", Model: <svg onload=alert(2)>`;
    const file = new Blob([png([tEXt('parameters', parameters)])]);
    expect(await readPngText(file)).toEqual([{ keyword: 'parameters', text: parameters }]);
    const { generation } = await readImageMetadata(file, 'png');
    expect(generation).toMatchObject({ prompt, negativePrompt: negative });
    expect(generation?.settings).toMatchObject({ Sampler: '<i>euler</i>, a', Model: '<svg onload=alert(2)>' });
  });

  it('decodes invalid UTF-8 in iTXt to U+FFFD, compressed or not', async () => {
    const bad = Buffer.concat([utf8('caf'), Buffer.from([0xc3, 0x28, 0xff]), utf8(' 猫 🐈')]);
    const text = await readPngText(new Blob([png([iTXt('prompt', bad), iTXt('Description', bad, true)])]));
    expect(text).toHaveLength(2);
    for (const c of text) {
      expect(c.text).toContain('\uFFFD');
      expect(c.text.endsWith(' 猫 🐈')).toBe(true);
    }
  });

  it('inflates zTXt (latin-1) and compressed iTXt (UTF-8)', async () => {
    const text = await readPngText(
      new Blob([png([zTXt('Comment', deflateSync(latin1('café, crème brûlée'))), iTXt('prompt', utf8('a cat 🐈, café'), true)])]),
    );
    expect(text).toEqual([
      { keyword: 'Comment', text: 'café, crème brûlée' },
      { keyword: 'prompt', text: 'a cat 🐈, café' },
    ]);
  });

  it('stops inflating a zip bomb at the cap (1 GiB of zeros in 1 MiB of zTXt)', async () => {
    const bomb = zeroBomb(1024);
    expect(bomb.length).toBeLessThan(PNG_TEXT_LIMITS.maxCompressedBytes);
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const text = await readPngText(new Blob([png([zTXt('parameters', bomb), tEXt('Software', 'after the bomb')])]));
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * MiB);
    expect(text[0].keyword).toBe('parameters');
    expect(text[0].text.length).toBeLessThanOrEqual(PNG_TEXT_LIMITS.maxInflatedBytes);
    expect(text[1]).toEqual({ keyword: 'Software', text: 'after the bomb' });
    // 8 MiB of NULs as "parameters": no settings line, so no generator's signature and no prompt.
    expect(parseGenerationText(text)).toBeNull();
  });

  it('skips a corrupt zTXt stream and a zTXt with an unknown compression method', async () => {
    const badMethod = chunk('zTXt', Buffer.concat([latin1('k'), Buffer.from([0, 7]), deflateSync(latin1('x'))]));
    const text = await readPngText(new Blob([png([zTXt('a', Buffer.from('not zlib at all')), badMethod, tEXt('ok', 'yes')])]));
    expect(text).toEqual([{ keyword: 'ok', text: 'yes' }]);
  });

  it('returns what was read from a truncated file', async () => {
    const whole = png([tEXt('parameters', 'a cat\nSteps: 20'), tEXt('Comment', 'x'.repeat(1000))]);
    for (const cut of [20, 40, 60, whole.length - 700, whole.length - 30, whole.length - 5]) {
      const text = await readPngText(new Blob([whole.subarray(0, cut)]));
      expect(text.length).toBeLessThanOrEqual(2);
    }
    const cutInComment = await readPngText(new Blob([whole.subarray(0, whole.length - 700)]));
    expect(cutInComment).toEqual([{ keyword: 'parameters', text: 'a cat\nSteps: 20' }]);
  });

  it('skips chunks with giant lengths', async () => {
    // A text chunk over 4 MiB is stepped over without reading it; the one after it is still read.
    const big = png([tEXt('Comment', 'y'.repeat(5 * MiB)), tEXt('prompt', 'after the big one')]);
    expect(await readPngText(new Blob([big]))).toEqual([{ keyword: 'prompt', text: 'after the big one' }]);
    // A length past the end of the file (or over 2^31) ends the walk: what came before is kept.
    for (const lie of [0x7ffffff0, 0xfffffff0]) {
      const file = png([tEXt('prompt', 'before'), chunk('tEXt', Buffer.concat([latin1('a'), Buffer.from([0]), latin1('b')]), lie), tEXt('c', 'd')]);
      expect(await readPngText(new Blob([file]))).toEqual([{ keyword: 'prompt', text: 'before' }]);
    }
  });

  it('reads text chunks after IDAT, also behind large image data', async () => {
    const idat = chunk('IDAT', Buffer.alloc(3 * MiB, 7)); // not a valid image: only the chunk walk matters here
    const blob = new CountingBlob([png([tEXt('Title', 'before')], [tEXt('parameters', 'after idat\nSteps: 5, Sampler: Euler')], idat)]);
    const text = await readPngText(blob);
    expect(text.map((c) => c.keyword)).toEqual(['Title', 'parameters']);
    expect(blob.bytesRead).toBeLessThan(256 * 1024);
    expect(parseGenerationText(text)?.prompt).toBe('after idat');
  });

  it('keeps at most 64 text chunks and drops malformed keywords', async () => {
    const many = Array.from({ length: 100 }, (_, i) => tEXt(`k${i}`, String(i)));
    const noNul = chunk('tEXt', latin1('keyword without a NUL'));
    const longKeyword = tEXt('k'.repeat(80), 'too long a keyword');
    const text = await readPngText(new Blob([png([noNul, longKeyword, ...many])]));
    expect(text).toHaveLength(64);
    expect(text[0]).toEqual({ keyword: 'k0', text: '0' });
  });

  it('reads nothing from files that are not PNGs', async () => {
    expect(await readPngText(new Blob([]))).toEqual([]);
    expect(await readPngText(new Blob(['just some text']))).toEqual([]);
    expect(await readPngMetadataChunks(new Blob([readFileSync(join(REAL_DIR, 'clive_1019.jpg'))]))).toEqual({ text: [], exif: null });
  });
});

// --- parsing the text ----------------------------------------------------------------------------------

const graph = (nodes: Record<string, unknown>) => [{ keyword: 'prompt', text: JSON.stringify(nodes) }];

describe('parseGenerationText', () => {
  it('follows ComfyUI links through conditioning nodes, SDXL encoders and string nodes', () => {
    const info = parseGenerationText(
      graph({
        '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'base.safetensors' } },
        '2': { class_type: 'LoraLoader', inputs: { lora_name: 'x.safetensors', model: ['1', 0], clip: ['1', 1] } },
        '3': { class_type: 'PrimitiveString', inputs: { value: 'a lighthouse at dusk' } },
        '4': { class_type: 'CLIPTextEncodeSDXL', inputs: { text_g: ['3', 0], text_l: 'oil painting', clip: ['2', 1] } },
        '5': { class_type: 'CLIPTextEncode', inputs: { text: 'stormy sea', clip: ['2', 1] } },
        '6': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['4', 0], conditioning_2: ['5', 0] } },
        '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['2', 1] } },
        '8': { class_type: 'ControlNetApplyAdvanced', inputs: { positive: ['6', 0], negative: ['7', 0], strength: 1 } },
        '9': {
          class_type: 'KSampler',
          inputs: { seed: 42, steps: 30, cfg: 7, sampler_name: 'dpmpp_2m', scheduler: 'karras', model: ['2', 0], positive: ['8', 0], negative: ['8', 1] },
        },
      }),
    );
    expect(info).toEqual({
      tool: 'comfyui',
      prompt: 'a lighthouse at dusk\noil painting\nstormy sea',
      negativePrompt: 'blurry',
      settings: { Steps: '30', Sampler: 'dpmpp_2m', Scheduler: 'karras', 'CFG scale': '7', Seed: '42', Model: 'base.safetensors' },
    });
  });

  it('follows a guider (SamplerCustomAdvanced) without taking the positive for the negative', () => {
    const nodes = {
      '1': { class_type: 'CLIPTextEncode', inputs: { text: 'a red kite' } },
      '2': { class_type: 'BasicGuider', inputs: { conditioning: ['1', 0], model: ['9', 0] } },
      '3': { class_type: 'SamplerCustomAdvanced', inputs: { guider: ['2', 0], sampler: ['4', 0] } },
      '4': { class_type: 'KSamplerSelect', inputs: { sampler_name: 'euler' } },
    };
    expect(parseGenerationText(graph(nodes))).toMatchObject({ prompt: 'a red kite', negativePrompt: null, settings: { Sampler: 'euler' } });
  });

  it('survives cyclic and hostile ComfyUI graphs', () => {
    const cyclic = graph({
      '1': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['2', 0], conditioning_2: ['3', 0] } },
      '2': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['1', 0], conditioning_2: ['2', 0] } },
      '3': { class_type: 'CLIPTextEncode', inputs: { text: ['4', 0] } },
      '4': { class_type: 'StringConcat', inputs: { value: ['4', 0] } }, // a text link to itself
      '5': { class_type: 'CLIPTextEncode', inputs: { text: 'a fox in snow' } },
      '6': { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['1', 0], conditioning_2: ['5', 0] } },
      '7': { class_type: 'KSampler', inputs: { positive: ['6', 0], negative: ['7', 0], model: ['7', 0], steps: ['7', 0] } },
    });
    expect(parseGenerationText(cyclic)).toMatchObject({ tool: 'comfyui', prompt: 'a fox in snow', negativePrompt: null });

    // Links to inherited property names must not reach Object.prototype.
    const proto = graph({
      '1': { class_type: 'KSampler', inputs: { positive: ['__proto__', 0], negative: ['constructor', 0], model: ['toString', 0] } },
      '2': { class_type: 'CLIPTextEncode', inputs: { text: 'fallback text' } },
    });
    expect(parseGenerationText(proto)).toMatchObject({ tool: 'comfyui', prompt: 'fallback text' });

    // A wide graph where every node links to every other: the visit budget ends the walk.
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      const inputs: Record<string, unknown> = {};
      for (let j = 0; j < 200; j++) inputs[`conditioning_${j}`] = [String(j), 0];
      wide[String(i)] = { class_type: 'ConditioningCombine', inputs };
    }
    wide.s = { class_type: 'KSampler', inputs: { positive: ['0', 0] } };
    const t0 = performance.now();
    expect(parseGenerationText(graph(wide))).toBeNull();
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('falls back to the UI workflow only without an API graph', () => {
    const workflow = {
      nodes: [
        { id: 3, type: 'KSampler', inputs: [{ name: 'positive', link: 10 }, { name: 'negative', link: 11 }], widgets_values: [1, 'fixed', 20] },
        { id: 6, type: 'CLIPTextEncode', widgets_values: ['a quiet harbour'] },
        { id: 7, type: 'CLIPTextEncode', widgets_values: ['text, watermark'] },
      ],
      links: [
        [10, 6, 0, 3, 1, 'CONDITIONING'],
        [11, 7, 0, 3, 2, 'CONDITIONING'],
      ],
    };
    const info = parseGenerationText([{ keyword: 'workflow', text: JSON.stringify(workflow) }]);
    expect(info).toMatchObject({ tool: 'comfyui', prompt: 'a quiet harbour', negativePrompt: 'text, watermark' });
  });

  it('never throws on bad JSON, absurd nesting or odd text', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    for (const text of ['{"1": {"class_type": "KSampler", "inputs": {', deep, 'null', '[1,2]', '{"__proto__": {"x": 1}}', '\u0000\uFFFF']) {
      for (const keyword of ['prompt', 'workflow', 'parameters', 'Comment', 'UserComment']) {
        expect(() => parseGenerationText([{ keyword, text }])).not.toThrow();
      }
    }
    expect(parseGenerationText([])).toBeNull();
    expect(parseGenerationText([{ keyword: 'Software', text: 'gnome-screenshot' }])).toBeNull();
    expect(parseGenerationText([{ keyword: 'Comment', text: 'Created with GIMP' }])).toBeNull();
    // Plain text is not a generator's signature, however prompt-like.
    expect(parseGenerationText([{ keyword: 'Description', text: 'a watercolor owl' }])).toBeNull();
  });

  it('reads A1111 text with multi-line prompts, quoted values and lines after the settings', () => {
    const text = [
      'a castle on a hill,',
      'golden hour',
      'Negative prompt: fog,',
      'people',
      'Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 7, Lora hashes: "detail: 7c6b, style: 99aa", Version: v1.9.0',
      'Template: a castle',
    ].join('\n');
    expect(generationFromUserComment(text)).toEqual({
      tool: 'automatic1111',
      prompt: 'a castle on a hill,\ngolden hour',
      negativePrompt: 'fog,\npeople',
      settings: { Steps: '28', Sampler: 'DPM++ 2M Karras', 'CFG scale': '6.5', Seed: '7', 'Lora hashes': 'detail: 7c6b, style: 99aa', Version: 'v1.9.0' },
    });
    const many = `x\nSteps: 1, ${Array.from({ length: 60 }, (_, i) => `K${i}: ${'v'.repeat(i % 5 ? 1 : 500)}`).join(', ')}`;
    const settings = generationFromUserComment(many)?.settings ?? {};
    expect(Object.keys(settings)).toHaveLength(40);
    expect(Math.max(...Object.values(settings).map((v) => v.length))).toBeLessThanOrEqual(200);
    expect(generationFromUserComment('OLYMPUS DIGITAL CAMERA')).toBeNull();
    expect(generationFromUserComment('   ')).toBeNull();
  });
});

describe('promptPhrases', () => {
  it('strips weights, brackets, LoRA tags, BREAK and boilerplate', () => {
    expect(promptPhrases('(masterpiece:1.2), best quality, ((a red fox)), [snow], <lora:foo:0.8>, BREAK, a cat on a sofa')).toEqual([
      'a red fox',
      'snow',
      'a cat on a sofa',
    ]);
    expect(promptPhrases('{{1girl}}, {solo}, 8k, HDR, absurdres, Ultra Detailed, embedding:EasyNegative, score_9, (red hair:.8)')).toEqual([
      '1girl',
      'solo',
      'red hair',
    ]);
    expect(promptPhrases('a cat BREAK a dog\nA Cat, a  cat ,  <hypernet:x:1>portrait of an owl')).toEqual(['a cat', 'a dog', 'portrait of an owl']);
  });

  it('keeps 1–8 word phrases up to 60 characters, the first `max` in order', () => {
    expect(promptPhrases('one two three four five six seven eight, one two three four five six seven eight nine')).toEqual([
      'one two three four five six seven eight',
    ]);
    expect(promptPhrases(`${'x'.repeat(61)}, ok`)).toEqual(['ok']);
    expect(promptPhrases(Array.from({ length: 30 }, (_, i) => `tag ${i}`).join(', '))).toHaveLength(12);
    expect(promptPhrases('a, b, c, d', 2)).toEqual(['a', 'b']);
    expect(promptPhrases('')).toEqual([]);
    expect(promptPhrases('('.repeat(100_000) + ':'.repeat(100_000))).toEqual([]);
  });
});

// --- EXIF ------------------------------------------------------------------------------------------------

type Tag = { tag: number; type: 2 | 3 | 4 | 5 | 7; value: Uint8Array | number | [number, number] };

/** A minimal TIFF (IFD0 + Exif IFD) in either byte order, as cameras and AUTOMATIC1111 (piexif) write it. */
function tiff(littleEndian: boolean, ifd0: Tag[], exif: Tag[]): Uint8Array {
  const size = (t: Tag) => (t.type === 2 || t.type === 7 ? (t.value as Uint8Array).length : t.type === 3 ? 2 : t.type === 4 ? 4 : 8);
  const ifd0Entries = [...ifd0, { tag: 0x8769, type: 4 as const, value: 0 }];
  const ifdBytes = (n: number) => 2 + 12 * n + 4;
  const exifAt = 8 + ifdBytes(ifd0Entries.length);
  let dataAt = exifAt + ifdBytes(exif.length);
  const total = dataAt + [...ifd0Entries, ...exif].reduce((s, t) => s + (size(t) > 4 ? size(t) + 1 : 0), 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(latin1(littleEndian ? 'II' : 'MM'));
  v.setUint16(2, 42, littleEndian);
  v.setUint32(4, 8, littleEndian);
  const writeIfd = (at: number, entries: Tag[]) => {
    v.setUint16(at, entries.length, littleEndian);
    entries.forEach((t, i) => {
      const e = at + 2 + 12 * i;
      const value = t.tag === 0x8769 ? exifAt : t.value;
      const count = t.type === 2 || t.type === 7 ? (value as Uint8Array).length : 1;
      v.setUint16(e, t.tag, littleEndian);
      v.setUint16(e + 2, t.type, littleEndian);
      v.setUint32(e + 4, count, littleEndian);
      const target = size(t) > 4 ? dataAt : e + 8;
      if (size(t) > 4) {
        v.setUint32(e + 8, dataAt, littleEndian);
        dataAt += size(t) + 1;
      }
      if (value instanceof Uint8Array) out.set(value, target);
      else if (Array.isArray(value)) {
        v.setUint32(target, value[0], littleEndian);
        v.setUint32(target + 4, value[1], littleEndian);
      } else if (t.type === 3) v.setUint16(target, value, littleEndian);
      else v.setUint32(target, value, littleEndian);
    });
  };
  writeIfd(8, ifd0Entries);
  writeIfd(exifAt, exif);
  return out;
}

const ascii = (s: string): Tag['value'] => latin1(`${s}\0`);
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

/** SOI + APP1("Exif\0\0" + TIFF) + EOI: all a metadata reader looks at. */
function jpegWithExif(tiffBytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(2 + 6 + tiffBytes.length);
  return new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), len, latin1('Exif\0\0'), tiffBytes, Buffer.from([0xff, 0xd9])]));
}

const photoExif = {
  IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
  IFD2: {
    DateTimeOriginal: '2024:05:06 07:08:09',
    SubSecTimeOriginal: '250',
    OffsetTimeOriginal: '+02:00',
    ISOSpeedRatings: '400',
    FNumber: '28/10',
    ExposureTime: '1/250',
    FocalLength: '50/1',
    LensModel: 'RF50mm F1.2 L USM',
    UserComment: 'a duck on a pond\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, Seed: 3',
  },
};
const grey = () => sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } });

describe('readCaptureInfo', () => {
  it('reads time, camera, lens, exposure and UserComment from a JPEG written by sharp', async () => {
    const jpeg = await grey().jpeg().withExif(photoExif).toBuffer();
    const info = await readCaptureInfo(new Blob([jpeg]));
    expect(info).toEqual({
      capturedAt: Date.UTC(2024, 4, 6, 5, 8, 9, 250), // 07:08:09.250 at +02:00
      offsetMinutes: 120,
      camera: 'Canon EOS R5',
      lens: 'RF50mm F1.2 L USM',
      exposure: { iso: 400, fNumber: 2.8, exposureTime: 0.004, focalLength: 50 },
      userComment: photoExif.IFD2.UserComment,
    });
    const { capture, generation } = await readImageMetadata(new Blob([jpeg]), 'jpeg');
    expect(capture?.camera).toBe('Canon EOS R5');
    expect(generation).toEqual({
      tool: 'automatic1111',
      prompt: 'a duck on a pond',
      negativePrompt: 'blurry',
      settings: { Steps: '20', Sampler: 'Euler a', Seed: '3' },
    });
  });

  it('takes a time without offset as UTC, and joins make and model', async () => {
    const jpeg = await grey()
      .jpeg()
      .withExif({ IFD0: { Make: 'FUJIFILM', Model: 'X-T4' }, IFD2: { DateTimeOriginal: '2023:12:31 23:59:58' } })
      .toBuffer();
    expect(await readCaptureInfo(new Blob([jpeg]))).toMatchObject({
      capturedAt: Date.UTC(2023, 11, 31, 23, 59, 58),
      camera: 'FUJIFILM X-T4',
      userComment: null,
    });
    expect(exifDateToMs('0000:00:00 00:00:00')).toBeNull();
    expect(exifDateToMs('2020-01-02T03:04:05', '5', '-05:30')).toBe(Date.UTC(2020, 0, 2, 8, 34, 5, 500));
    expect([exifOffsetMinutes('-05:30'), exifOffsetMinutes('+0900'), exifOffsetMinutes(' +00:00 '), exifOffsetMinutes('   :  '), exifOffsetMinutes(undefined), exifOffsetMinutes('+25:00')]).toEqual([
      -330, 540, 0, null, null, null,
    ]);
  });

  it('reads EXIF from WebP (its EXIF chunk) and PNG (eXIf), which exifr does not', async () => {
    const webp = await grey().webp().withExif(photoExif).toBuffer();
    const fromWebp = await readImageMetadata(new Blob([webp]), 'webp');
    expect(fromWebp.capture?.capturedAt).toBe(Date.UTC(2024, 4, 6, 5, 8, 9, 250));
    expect(fromWebp.generation?.prompt).toBe('a duck on a pond');

    const exif = tiff(true, [{ tag: 0x010f, type: 2, value: ascii('Apple') }, { tag: 0x0110, type: 2, value: ascii('iPhone 15') }], [
      { tag: 0x9003, type: 2, value: ascii('2024:01:02 03:04:05') },
    ]);
    const pngFile = png([chunk('eXIf', exif), tEXt('parameters', 'a snail\nSteps: 4, Sampler: Euler')]);
    const fromPng = await readImageMetadata(new Blob([pngFile]), 'png');
    expect(fromPng.capture).toMatchObject({ camera: 'Apple iPhone 15', capturedAt: Date.UTC(2024, 0, 2, 3, 4, 5) });
    expect(fromPng.generation?.prompt).toBe('a snail');
  });

  it('decodes a UTF-16BE UserComment in a little-endian TIFF, as AUTOMATIC1111 writes it', async () => {
    const parameters = 'ein Hund im Schnee 🐕\nNegative prompt: Text\nSteps: 25, Sampler: DDIM, Seed: 9';
    const comment = Buffer.concat([latin1('UNICODE\0'), utf16be(parameters)]);
    const jpeg = jpegWithExif(tiff(true, [], [{ tag: 0x9286, type: 7, value: comment }]));
    const { capture, generation } = await readImageMetadata(new Blob([jpeg]), null);
    expect(capture?.userComment).toBe(parameters);
    expect(generation).toMatchObject({ tool: 'automatic1111', prompt: 'ein Hund im Schnee 🐕', settings: { Steps: '25' } });
  });

  it('decodes UserComment charset headers', () => {
    const le = Buffer.from('hello', 'utf16le');
    expect(decodeUserComment(Buffer.concat([latin1('UNICODE\0'), le]), true)).toBe('hello');
    expect(decodeUserComment(Buffer.concat([latin1('UNICODE\0'), le]), false)).toBe('hello'); // zero bytes give the order away
    expect(decodeUserComment(Buffer.concat([latin1('UNICODE\0'), Buffer.from([0xfe, 0xff]), utf16be('日本')]), true)).toBe('日本');
    expect(decodeUserComment(Buffer.concat([latin1('ASCII\0\0\0'), utf8('caf\u00e9'), Buffer.alloc(4)]))).toBe('café');
    expect(decodeUserComment(Buffer.concat([Buffer.alloc(8), utf8('plain')]))).toBe('plain');
    expect(decodeUserComment(Buffer.concat([latin1('ASCII\0\0\0'), latin1('        ')]))).toBeNull();
    expect(decodeUserComment(Buffer.alloc(64))).toBeNull();
    expect(decodeUserComment(new Uint8Array(0))).toBeNull();
  });

  it('reads only the EXIF at the head of a large JPEG', async () => {
    const noise = sharp({ create: { width: 1600, height: 1600, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } } });
    const jpeg = await noise.jpeg({ quality: 95 }).withExif(photoExif).toBuffer();
    const blob = new CountingBlob([jpeg]);
    expect((await readCaptureInfo(blob))?.camera).toBe('Canon EOS R5');
    expect(jpeg.length).toBeGreaterThan(2 * MiB);
    expect(blob.bytesRead).toBeLessThan(200 * 1024);
  });

  it('does not throw on the shared photos (they carry no EXIF)', async () => {
    const names = readdirSync(REAL_DIR).filter((n) => n.endsWith('.jpg'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const blob = new Blob([readFileSync(join(REAL_DIR, name))]);
      expect(await readCaptureInfo(blob)).toBeNull();
      expect(await readImageMetadata(blob, 'jpeg')).toEqual({ capture: null, generation: null });
    }
  });

  it('gives null for empty, text, truncated and malformed files', async () => {
    const jpeg = await grey().jpeg().withExif(photoExif).toBuffer();
    const heicZeroBox = Buffer.concat([Buffer.from([0, 0, 0, 24]), latin1('ftypheic'), Buffer.alloc(4), latin1('mif1heic'), Buffer.from([0, 0, 0, 0]), latin1('free')]);
    const badApp1 = jpegWithExif(Buffer.concat([latin1('MM'), Buffer.from([0, 42, 0xff, 0xff, 0xff, 0xf0]), Buffer.alloc(64, 0xff)]));
    const files: [string, Blob][] = [
      ['empty', new Blob([])],
      ['text', new Blob(['hello, not an image'])],
      ['truncated JPEG', new Blob([jpeg.subarray(0, 40)])],
      ['JPEG with a garbage TIFF', new Blob([badApp1])],
      ['HEIC with a zero-size box', new Blob([heicZeroBox])],
      ['TIFF header only', new Blob([latin1('II*\0\xff\xff\xff\x7f')])],
      ['WebP without chunks', new Blob([latin1('RIFF\x04\0\0\0WEBP')])],
    ];
    for (const [, file] of files) {
      expect(await readCaptureInfo(file)).toBeNull();
      expect(await readImageMetadata(file, null)).toEqual({ capture: null, generation: null });
    }
    expect(await readImageMetadata(new Blob(['GIF89a']), 'gif')).toEqual({ capture: null, generation: null });
    expect(await readImageMetadata(new Blob(['x']), 'image/png')).toEqual({ capture: null, generation: null });
  });
});
