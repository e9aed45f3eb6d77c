/**
 * Turns the text that image generators leave in a file (PNG text chunks, EXIF UserComment) into a prompt,
 * a negative prompt and a few settings. All input is untrusted: nothing here throws, JSON graphs are walked
 * with hop and visit limits (they may be cyclic), and every string kept is capped.
 *
 * Only a known generator's signature makes an image "AI-generated": AUTOMATIC1111's settings line ("Steps: 20,
 * Sampler: …"), a ComfyUI graph, NovelAI's Software/Comment, Fooocus's scheme, InvokeAI's metadata chunks, or a
 * JSON record holding a prompt next to generation settings. Free text never does: cameras and people write
 * comments and descriptions too ("OLYMPUS DIGITAL CAMERA", "Grandma's 80th"), and a caption is not a prompt.
 */

export interface GenerationInfo {
  tool: 'automatic1111' | 'comfyui' | 'novelai' | 'fooocus' | 'invokeai' | 'unknown';
  prompt: string;
  negativePrompt: string | null;
  /** e.g. Steps, Sampler, CFG scale, Seed, Model when present; A1111's names are used for every tool. */
  settings: Record<string, string>;
}

export interface TextEntry {
  keyword: string;
  text: string;
}

export const PROMPT_MAX_CHARS = 5000;
export const SETTINGS_MAX_ENTRIES = 40;
export const SETTING_MAX_CHARS = 200;

/** Cuts at `max` characters and marks the cut, without splitting a surrogate pair. */
function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + '…';
}

/** Control characters (NUL padding, escape codes) other than tab and newline: noise in a prompt or setting. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Without control characters, trimmed and capped; looks at no more than needed of a huge string. */
function clean(text: string, max: number): string {
  const t = text.slice(0, max * 4).replace(CONTROL, '').trim();
  return text.length > max * 4 && t !== '' && t.length <= max ? t + '…' : cap(t, max);
}

const capPrompt = (text: string) => clean(text, PROMPT_MAX_CHARS);
function capNegative(text: string | null | undefined): string | null {
  const t = typeof text === 'string' ? capPrompt(text) : '';
  return t === '' ? null : t;
}

/** Adds a setting unless the record is full; empty values are dropped. */
function setSetting(settings: Record<string, string>, key: string, value: unknown): void {
  if (Object.keys(settings).length >= SETTINGS_MAX_ENTRIES) return;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return;
  const text = clean(String(value), SETTING_MAX_CHARS - 1);
  const name = clean(key, SETTING_MAX_CHARS - 1);
  if (text === '' || name === '' || Object.hasOwn(settings, name)) return;
  settings[name] = text;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined; // also a RangeError on absurd nesting
  }
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Own properties only: keys come from the file, and `constructor` or `__proto__` must not reach Object.prototype. */
const own = (o: JsonObject, key: string): Json | undefined => (Object.hasOwn(o, key) ? o[key] : undefined);
const str = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);

// ---------------------------------------------------------------------------------------------------------
// AUTOMATIC1111 ("parameters" chunk, JPEG/WebP UserComment; also Forge, SD.Next and Fooocus's a1111 scheme)

const NEGATIVE_PREFIX = 'Negative prompt:';
/**
 * `Key: value` pairs of the settings line; values may be quoted with JSON escapes (A1111 quotes values
 * with commas). Keys and quoted values have bounded lengths so that a hostile line costs linear time.
 */
const SETTING_PAIR = /([\w][\w \-/+.()]{0,63}?):\s*("(?:\\.|[^\\"]){0,2000}"|[^,]*)(?:,|$)/g;
/** Real settings lines stay under a few KiB even with many LoRA hashes. */
const SETTINGS_LINE_MAX_CHARS = 10_000;

function parseSettingsLine(line: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const m of line.slice(0, SETTINGS_LINE_MAX_CHARS).matchAll(SETTING_PAIR)) {
    let value = m[2].trim();
    if (value.startsWith('"')) {
      const unquoted = parseJson(value);
      value = typeof unquoted === 'string' ? unquoted : value.slice(1, -1);
    }
    setSetting(settings, m[1], value);
  }
  return settings;
}

/**
 * A1111's settings line, its signature: it always starts with the step count, and other settings follow
 * ("Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1"). A "Negative prompt:" line alone is not enough.
 */
function isSettingsLine(line: string): boolean {
  return /^\s*Steps:\s*\d+\s*,/.test(line) && [...line.slice(0, SETTINGS_LINE_MAX_CHARS).matchAll(SETTING_PAIR)].length >= 2;
}

export function isA1111Parameters(text: string): boolean {
  return text.split(/\r\n?|\n/).some(isSettingsLine);
}

/**
 * "prompt (any lines)\nNegative prompt: … (any lines)\nSteps: 15, Sampler: …, CFG scale: 5, Seed: …"; newer
 * versions and extensions may add lines after the settings line ("Template: …"), which are dropped. null
 * without a settings line (isA1111Parameters).
 */
export function parseA1111Parameters(text: string, tool: GenerationInfo['tool'] = 'automatic1111'): GenerationInfo | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let settingsAt = -1;
  for (let i = lines.length - 1; i >= 0 && settingsAt < 0; i--) if (isSettingsLine(lines[i])) settingsAt = i;
  if (settingsAt < 0) return null;
  const settings = parseSettingsLine(lines[settingsAt]);
  const body = lines.slice(0, settingsAt);
  const negativeAt = body.findIndex((l) => l.startsWith(NEGATIVE_PREFIX));
  const promptLines = negativeAt >= 0 ? body.slice(0, negativeAt) : body;
  const negative =
    negativeAt >= 0 ? [body[negativeAt].slice(NEGATIVE_PREFIX.length), ...body.slice(negativeAt + 1)].join('\n') : null;
  const prompt = promptLines.join('\n').trim();
  const version = settings['Version'] ?? '';
  return {
    tool: tool === 'automatic1111' && /fooocus/i.test(version) ? 'fooocus' : tool,
    prompt: capPrompt(prompt),
    negativePrompt: capNegative(negative),
    settings,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Fooocus ("parameters" as JSON, with a "fooocus_scheme" chunk)

const FOOOCUS_SETTINGS: [string, string][] = [
  ['steps', 'Steps'],
  ['sampler', 'Sampler'],
  ['scheduler', 'Scheduler'],
  ['guidance_scale', 'CFG scale'],
  ['seed', 'Seed'],
  ['base_model', 'Model'],
  ['refiner_model', 'Refiner'],
  ['resolution', 'Size'],
  ['performance', 'Performance'],
  ['styles', 'Styles'],
  ['sharpness', 'Sharpness'],
  ['version', 'Version'],
];

function parseFooocusJson(json: JsonObject): GenerationInfo | null {
  const prompt = str(own(json, 'prompt'));
  if (prompt === null) return null;
  const settings: Record<string, string> = {};
  for (const [key, name] of FOOOCUS_SETTINGS) {
    const value = own(json, key);
    if (value !== 'None') setSetting(settings, name, value); // Fooocus writes "None" for an unused refiner
  }
  return { tool: 'fooocus', prompt: capPrompt(prompt), negativePrompt: capNegative(str(own(json, 'negative_prompt'))), settings };
}

// ---------------------------------------------------------------------------------------------------------
// ComfyUI ("prompt" = API graph {id: {class_type, inputs}}; "workflow" = UI graph, used only without "prompt")

/** Conditioning may pass through combine/area/ControlNet nodes; a handful of hops covers real graphs. */
const MAX_HOPS = 8;
/** Bounds the total work on a hostile graph (wide fan-out repeated at every hop). */
const MAX_VISITS = 500;
/** Inputs of text encoders that hold prompt text (CLIPTextEncode, …SDXL, …SD3, …Flux). */
const TEXT_INPUTS = ['text', 'text_g', 'text_l', 'clip_l', 'clip_g', 't5xxl', 'prompt'];
/** Inputs of string/primitive nodes holding the value, in order of preference. */
const VALUE_INPUTS = ['value', 'text', 'string', 'String', 'Text', 'prompt', 'STRING'];

type ComfyNode = { classType: string; inputs: JsonObject };
type Graph = Map<string, ComfyNode>;

function toGraph(json: Json | undefined): Graph | null {
  if (!isObject(json)) return null;
  const graph: Graph = new Map();
  for (const [id, node] of Object.entries(json)) {
    if (!isObject(node)) continue;
    const classType = str(own(node, 'class_type'));
    const inputs = own(node, 'inputs');
    if (classType !== null) graph.set(id, { classType, inputs: isObject(inputs) ? inputs : {} });
  }
  return graph.size > 0 ? graph : null;
}

/** An input linking to another node's output: [nodeId, outputIndex]. */
function linkTarget(v: Json | undefined): string | null {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[1] !== 'number') return null;
  return typeof v[0] === 'string' || typeof v[0] === 'number' ? String(v[0]) : null;
}

class GraphWalker {
  private visits = 0;
  constructor(private readonly graph: Graph) {}

  private node(id: string | null): ComfyNode | null {
    if (id === null || ++this.visits > MAX_VISITS) return null;
    return this.graph.get(id) ?? null;
  }

  /** A string input, or the string behind a link to a primitive / string node. */
  stringValue(v: Json | undefined, hops = 0, seen = new Set<string>()): string | null {
    if (typeof v === 'string') return v;
    const id = linkTarget(v);
    if (id === null || hops >= MAX_HOPS || seen.has(id)) return null;
    seen.add(id);
    const node = this.node(id);
    if (!node) return null;
    for (const key of VALUE_INPUTS) {
      const found = this.stringValue(own(node.inputs, key), hops + 1, seen);
      if (found !== null) return found;
    }
    const strings = Object.values(node.inputs).filter((x): x is string => typeof x === 'string');
    return strings.length === 1 ? strings[0] : null;
  }

  encoderTexts(node: ComfyNode): string[] {
    const texts: string[] = [];
    for (const key of TEXT_INPUTS) {
      const t = this.stringValue(own(node.inputs, key));
      if (t !== null && t.trim() !== '' && !texts.includes(t)) texts.push(t);
    }
    return texts;
  }

  /**
   * The prompt texts feeding a conditioning input. Nodes with a `positive`/`negative` input (ControlNet apply,
   * guiders) are followed along the role; other nodes along their conditioning inputs (combine, concat, area).
   */
  conditioningTexts(v: Json | undefined, role: 'positive' | 'negative', hops = 0, path: string[] = []): string[] {
    const id = linkTarget(v);
    if (id === null || hops > MAX_HOPS || path.includes(id)) return [];
    const node = this.node(id);
    if (!node) return [];
    if (/TextEncode/i.test(node.classType)) return this.encoderTexts(node);
    const next = [...path, id];
    const other = role === 'positive' ? 'negative' : 'positive';
    let inputs: (Json | undefined)[];
    if (Object.hasOwn(node.inputs, role)) inputs = [own(node.inputs, role)];
    // A node that splits by role but lacks this one (BasicGuider has a single `conditioning`: the positive).
    else if (Object.hasOwn(node.inputs, other) || (role === 'negative' && /Guider/i.test(node.classType))) inputs = [];
    else inputs = Object.entries(node.inputs).filter(([k]) => /conditioning/i.test(k)).map(([, x]) => x);
    const texts: string[] = [];
    for (const input of inputs)
      for (const t of this.conditioningTexts(input, role, hops + 1, next)) if (!texts.includes(t)) texts.push(t);
    return texts;
  }

  /** A scalar input, or the scalar behind a link (KSamplerSelect's sampler_name, a scheduler's steps…). */
  scalar(node: ComfyNode, keys: string[], hops = 0): Json | undefined {
    for (const key of keys) {
      const v = own(node.inputs, key);
      if (typeof v === 'string' || typeof v === 'number') return v;
      const target = hops < 2 ? this.node(linkTarget(v)) : null;
      const viaLink = target && this.scalar(target, [...keys, 'value'], hops + 1);
      if (viaLink !== undefined && viaLink !== null) return viaLink;
    }
    return undefined;
  }

  /** Checkpoint / UNet names along the sampler's model input (through LoRA and hypernetwork loaders). */
  modelNames(v: Json | undefined, hops = 0, path: string[] = []): string[] {
    const id = linkTarget(v);
    if (id === null || hops > MAX_HOPS || path.includes(id)) return [];
    const node = this.node(id);
    if (!node) return [];
    const name = str(own(node.inputs, 'ckpt_name')) ?? str(own(node.inputs, 'unet_name'));
    if (name !== null) return [name];
    return this.modelNames(own(node.inputs, 'model'), hops + 1, [...path, id]);
  }
}

function samplerSettings(walker: GraphWalker, sampler: ComfyNode): Record<string, string> {
  const settings: Record<string, string> = {};
  setSetting(settings, 'Steps', walker.scalar(sampler, ['steps', 'sigmas']));
  setSetting(settings, 'Sampler', walker.scalar(sampler, ['sampler_name', 'sampler']));
  setSetting(settings, 'Scheduler', walker.scalar(sampler, ['scheduler']));
  setSetting(settings, 'CFG scale', walker.scalar(sampler, ['cfg']));
  setSetting(settings, 'Seed', walker.scalar(sampler, ['seed', 'noise_seed', 'noise']));
  setSetting(settings, 'Denoise', walker.scalar(sampler, ['denoise']));
  setSetting(settings, 'Model', walker.modelNames(own(sampler.inputs, 'model')).join(', '));
  return settings;
}

function parseComfyPrompt(graph: Graph): GenerationInfo | null {
  const walker = new GraphWalker(graph);
  for (const node of graph.values()) {
    if (!/Sampler/.test(node.classType)) continue;
    const guider = own(node.inputs, 'guider');
    const positive = walker.conditioningTexts(own(node.inputs, 'positive') ?? guider, 'positive');
    if (positive.length === 0) continue;
    const negative = walker.conditioningTexts(own(node.inputs, 'negative') ?? guider, 'negative');
    return {
      tool: 'comfyui',
      prompt: capPrompt(positive.join('\n')),
      negativePrompt: capNegative(negative.join('\n')),
      settings: samplerSettings(walker, node),
    };
  }
  // No sampler leads to a prompt: all encoder texts, in graph order.
  const texts = [...graph.values()].filter((n) => /TextEncode/i.test(n.classType)).flatMap((n) => walker.encoderTexts(n));
  return texts.length > 0 ? { tool: 'comfyui', prompt: capPrompt(texts.join('\n')), negativePrompt: null, settings: {} } : null;
}

/** The UI graph: nodes[] with widgets_values; links[] as [id, fromNode, fromSlot, toNode, toSlot, type]. */
function parseComfyWorkflow(json: Json | undefined): GenerationInfo | null {
  if (!isObject(json)) return null;
  const nodes = own(json, 'nodes');
  if (!Array.isArray(nodes)) return null;
  const byId = new Map<number, JsonObject>();
  for (const n of nodes) if (isObject(n) && typeof own(n, 'id') === 'number') byId.set(own(n, 'id') as number, n);
  const linkFrom = new Map<number, number>();
  const links = own(json, 'links');
  if (Array.isArray(links))
    for (const l of links) if (Array.isArray(l) && typeof l[0] === 'number' && typeof l[1] === 'number') linkFrom.set(l[0], l[1]);

  const isEncoder = (n: JsonObject | undefined) => !!n && /TextEncode/i.test(str(own(n, 'type')) ?? '');
  const widgetTexts = (n: JsonObject | undefined): string[] => {
    const w = n && own(n, 'widgets_values');
    return Array.isArray(w) ? w.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
  };
  /** One hop: the encoder node wired into a sampler's input of this name. */
  const encoderInto = (sampler: JsonObject, name: string): JsonObject | undefined => {
    const inputs = own(sampler, 'inputs');
    if (!Array.isArray(inputs)) return undefined;
    const input = inputs.find((i) => isObject(i) && own(i, 'name') === name);
    const link = isObject(input) ? own(input, 'link') : undefined;
    const from = typeof link === 'number' ? byId.get(linkFrom.get(link) ?? NaN) : undefined;
    return isEncoder(from) ? from : undefined;
  };

  for (const n of byId.values()) {
    if (!/Sampler/.test(str(own(n, 'type')) ?? '')) continue;
    const positive = widgetTexts(encoderInto(n, 'positive'));
    if (positive.length === 0) continue;
    return {
      tool: 'comfyui',
      prompt: capPrompt(positive.join('\n')),
      negativePrompt: capNegative(widgetTexts(encoderInto(n, 'negative')).join('\n')),
      settings: {},
    };
  }
  const texts = [...byId.values()].filter(isEncoder).flatMap(widgetTexts);
  return texts.length > 0 ? { tool: 'comfyui', prompt: capPrompt(texts.join('\n')), negativePrompt: null, settings: {} } : null;
}

// ---------------------------------------------------------------------------------------------------------
// NovelAI (Title / Description / Software / Source / Comment, Comment = JSON with prompt and uc)

function parseNovelAi(chunks: Map<string, string>): GenerationInfo | null {
  const comment = parseJson(chunks.get('Comment') ?? '');
  const json = isObject(comment) ? comment : {};
  const prompt = str(own(json, 'prompt')) ?? chunks.get('Description') ?? null;
  if (prompt === null) return null;
  const settings: Record<string, string> = {};
  setSetting(settings, 'Steps', own(json, 'steps'));
  setSetting(settings, 'Sampler', own(json, 'sampler'));
  setSetting(settings, 'CFG scale', own(json, 'scale'));
  setSetting(settings, 'Seed', own(json, 'seed'));
  setSetting(settings, 'Strength', own(json, 'strength'));
  setSetting(settings, 'Noise', own(json, 'noise'));
  setSetting(settings, 'Model', chunks.get('Source'));
  return { tool: 'novelai', prompt: capPrompt(prompt), negativePrompt: capNegative(str(own(json, 'uc'))), settings };
}

// ---------------------------------------------------------------------------------------------------------
// InvokeAI: "invokeai_metadata" (3.x and later), or "sd-metadata" JSON and a "Dream" command line (2.x)

function parseInvokeAi(chunks: Map<string, string>): GenerationInfo | null {
  const meta = parseJson(chunks.get('invokeai_metadata') ?? '');
  if (isObject(meta)) {
    const prompt = str(own(meta, 'positive_prompt'));
    if (prompt !== null) {
      const model = own(meta, 'model');
      const settings: Record<string, string> = {};
      setSetting(settings, 'Steps', own(meta, 'steps'));
      setSetting(settings, 'Sampler', own(meta, 'scheduler'));
      setSetting(settings, 'CFG scale', own(meta, 'cfg_scale'));
      setSetting(settings, 'Seed', own(meta, 'seed'));
      setSetting(settings, 'Model', isObject(model) ? (own(model, 'model_name') ?? own(model, 'name')) : model);
      return { tool: 'invokeai', prompt: capPrompt(prompt), negativePrompt: capNegative(str(own(meta, 'negative_prompt'))), settings };
    }
  }
  const legacy = parseJson(chunks.get('sd-metadata') ?? '');
  const image = isObject(legacy) ? own(legacy, 'image') : undefined;
  if (isObject(legacy) && isObject(image)) {
    // The prompt is a string, or weighted parts [{ prompt, weight }].
    const raw = own(image, 'prompt');
    const parts = Array.isArray(raw) ? raw.map((p) => (isObject(p) ? str(own(p, 'prompt')) : null)).filter((p): p is string => p !== null) : [str(raw)];
    const prompt = parts.filter((p): p is string => p !== null).join(', ');
    if (prompt !== '') {
      const settings: Record<string, string> = {};
      setSetting(settings, 'Steps', own(image, 'steps'));
      setSetting(settings, 'Sampler', own(image, 'sampler'));
      setSetting(settings, 'CFG scale', own(image, 'cfg_scale'));
      setSetting(settings, 'Seed', own(image, 'seed'));
      setSetting(settings, 'Model', own(legacy, 'model_weights'));
      return { tool: 'invokeai', prompt: capPrompt(prompt), negativePrompt: null, settings };
    }
  }
  // "a castle on a hill" -s 50 -S 42 -W 512 -H 512 -C 7.5 -A k_lms: a quoted prompt, then options.
  const dream = /^\s*"((?:\\.|[^"\\]){1,20000})"((?:\s+-[A-Za-z]\s*\S+)+)\s*$/.exec((chunks.get('Dream') ?? '').slice(0, 40_000));
  if (dream) {
    const settings: Record<string, string> = {};
    const names: Record<string, string> = { s: 'Steps', S: 'Seed', C: 'CFG scale', A: 'Sampler' };
    for (const [, flag, value] of dream[2].matchAll(/-([A-Za-z])\s*(\S+)/g)) if (Object.hasOwn(names, flag)) setSetting(settings, names[flag], value);
    if (Object.keys(settings).length > 0) return { tool: 'invokeai', prompt: capPrompt(dream[1].replace(/\\(.)/g, '$1')), negativePrompt: null, settings };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Other tools: a JSON record with a prompt and generation settings (custom savers, later InvokeAI exports)

/** Keys that only a generation record has next to its prompt. */
const GENERATION_KEYS = ['seed', 'steps', 'sampler', 'sampler_name', 'scheduler', 'cfg_scale', 'guidance_scale', 'negative_prompt', 'model', 'base_model'];

function generatorJson(json: JsonObject): GenerationInfo | null {
  const prompt = str(own(json, 'prompt')) ?? str(own(json, 'positive_prompt'));
  if (prompt === null || !/\p{L}/u.test(prompt) || !GENERATION_KEYS.some((k) => Object.hasOwn(json, k))) return null;
  const settings: Record<string, string> = {};
  setSetting(settings, 'Steps', own(json, 'steps'));
  setSetting(settings, 'Sampler', own(json, 'sampler') ?? own(json, 'sampler_name'));
  setSetting(settings, 'CFG scale', own(json, 'cfg_scale') ?? own(json, 'guidance_scale'));
  setSetting(settings, 'Seed', own(json, 'seed'));
  const negative = str(own(json, 'negative_prompt')) ?? str(own(json, 'uc'));
  return { tool: 'unknown', prompt: capPrompt(prompt), negativePrompt: capNegative(negative), settings };
}

/** Chunks where such a record may sit; their plain text (a caption, an editor's name) is not looked at. */
const JSON_RECORD_KEYWORDS = ['prompt', 'Comment', 'UserComment', 'Description'];

// ---------------------------------------------------------------------------------------------------------

export function parseGenerationText(chunks: TextEntry[]): GenerationInfo | null {
  try {
    // A keyword given twice: the first wins, so that the result does not depend on what a tool appended.
    const byKeyword = new Map<string, string>();
    for (const c of chunks) if (!byKeyword.has(c.keyword)) byKeyword.set(c.keyword, c.text);

    const parameters = byKeyword.get('parameters');
    if (parameters !== undefined) {
      const json = parameters.trimStart().startsWith('{') ? parseJson(parameters) : undefined;
      if (isObject(json)) {
        // Fooocus writes its scheme beside the JSON; without it, the record must look like a generation.
        const fooocus = byKeyword.has('fooocus_scheme') || generatorJson(json) ? parseFooocusJson(json) : null;
        if (fooocus) return fooocus;
      } else if (isA1111Parameters(parameters)) {
        const a1111 = parseA1111Parameters(parameters, byKeyword.has('fooocus_scheme') ? 'fooocus' : 'automatic1111');
        if (a1111) return a1111;
      }
    }

    const graph = toGraph(byKeyword.has('prompt') ? parseJson(byKeyword.get('prompt') ?? '') : undefined);
    const comfy = graph ? parseComfyPrompt(graph) : null;
    if (comfy) return comfy;
    if (!graph && byKeyword.has('workflow')) {
      const fromWorkflow = parseComfyWorkflow(parseJson(byKeyword.get('workflow') ?? ''));
      if (fromWorkflow) return fromWorkflow;
    }

    const comment = parseJson(byKeyword.get('Comment') ?? '');
    if (byKeyword.get('Software') === 'NovelAI' || (isObject(comment) && Object.hasOwn(comment, 'uc'))) {
      const novelAi = parseNovelAi(byKeyword);
      if (novelAi) return novelAi;
    }

    const invokeAi = parseInvokeAi(byKeyword);
    if (invokeAi) return invokeAi;

    for (const keyword of JSON_RECORD_KEYWORDS) {
      const text = byKeyword.get(keyword);
      if (text === undefined || (keyword === 'prompt' && graph) || !text.trimStart().startsWith('{')) continue;
      const json = parseJson(text);
      const found = isObject(json) ? generatorJson(json) : null;
      if (found) return found;
    }
    return null;
  } catch {
    return null; // a bug here must not stop the library from loading
  }
}

/**
 * EXIF UserComment of JPEG/WebP: AUTOMATIC1111 writes its "parameters" text there; other tools write JSON;
 * cameras write their name or blanks, and people write captions: without a generator's signature, null.
 */
export function generationFromUserComment(comment: string): GenerationInfo | null {
  try {
    const json = comment.trimStart().startsWith('{') ? parseJson(comment) : undefined;
    if (isObject(json)) {
      if (Object.hasOwn(json, 'uc')) return parseNovelAi(new Map([['Comment', comment]]));
      if (own(json, 'metadata_scheme') === 'fooocus' || Object.hasOwn(json, 'full_prompt')) return parseFooocusJson(json);
      return generatorJson(json);
    }
    return isA1111Parameters(comment) ? parseA1111Parameters(comment) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Prompt → tag phrases

/**
 * Quality boilerplate that says nothing about the picture; compared after lower-casing and collapsing
 * spaces. Kept short on purpose: anything content-like ("photorealistic", "raw photo") stays a phrase.
 */
const BOILERPLATE = new Set([
  'masterpiece',
  'best quality',
  'high quality',
  'highest quality',
  'top quality',
  'good quality',
  'amazing quality',
  'normal quality',
  'low quality',
  'worst quality',
  'very aesthetic',
  'aesthetic',
  '4k',
  '8k',
  '16k',
  'uhd',
  'hd',
  'hdr',
  'highres',
  'absurdres',
  'lowres',
  'ultra detailed',
  'ultra-detailed',
  'highly detailed',
  'extremely detailed',
  'best aesthetic',
  'trending on artstation',
  'award winning',
  'official art',
]);

const MAX_PHRASE_WORDS = 8;
const MAX_PHRASE_CHARS = 60;

/** Score tags of Pony-style models ("score_9", "score_8_up"), also boilerplate. */
const SCORE_TAG = /^score_\d+(_up)?$/;

function cleanPhrase(raw: string): string {
  return raw
    .replace(/\\([()[\]{}])/g, ' ') // escaped literal brackets: A1111's "\(" is a bracket in the text, not a weight
    .replace(/:\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*(?=[)\]}]|$)/g, '') // "(word:1.2)" weights
    .replace(/[()[\]{}]/g, ' ') // emphasis brackets of A1111/ComfyUI and NovelAI's {braces}
    .replace(/\s+/g, ' ')
    .replace(/^[\s.;:|!?'"`*~_-]+|[\s.;:|!?'"`*~_-]+$/g, '');
}

export function promptPhrases(prompt: string, max = 12): string[] {
  const phrases: string[] = [];
  const seen = new Set<string>();
  const text = prompt
    .slice(0, PROMPT_MAX_CHARS * 2)
    .replace(/<[^<>]*>/g, ',') // <lora:name:0.8>, <hypernet:…>, <lyco:…>: model switches, not content
    .replace(/\bembedding:[^\s,()[\]{}]+/gi, ','); // ComfyUI textual-inversion references
  for (const raw of text.split(/[,\n]|\bBREAK\b/)) {
    if (phrases.length >= max) break;
    // Too long to clean down to a phrase; skipping it also keeps the regexes below on short strings.
    if (raw.length > MAX_PHRASE_CHARS * 5) continue;
    const phrase = cleanPhrase(raw);
    const key = phrase.toLowerCase();
    const words = phrase === '' ? 0 : phrase.split(' ').length;
    if (words === 0 || words > MAX_PHRASE_WORDS || phrase.length > MAX_PHRASE_CHARS) continue;
    if (seen.has(key) || BOILERPLATE.has(key) || SCORE_TAG.test(key)) continue;
    seen.add(key);
    phrases.push(phrase);
  }
  return phrases;
}
