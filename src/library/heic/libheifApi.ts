/**
 * The part of libheif-js's Emscripten module that decodeHeic uses, typed by hand: the package's own
 * libheif.d.ts types the results of the calls we need as `any` and belongs to the non-bundled file.
 * Shapes checked against libheif-js 1.23.2 (libheif 1.23.2).
 */

/** An embind enum member: compare `.value`, the objects are not shared between enums. */
export interface EnumValue {
  value: number;
}

/** libheif's `struct heif_error` as embind returns it; `code.value` 0 is success. */
export interface HeifError {
  code: EnumValue;
  subcode: EnumValue;
  message: string;
}

/**
 * An opaque libheif object (context, image handle, image) wrapped by embind. `$$.ptr` is embind's raw
 * pointer: the only way to pass an object to a C function the bindings do not wrap (decoding warnings).
 */
export interface HeifObject {
  readonly $$?: { readonly ptr?: unknown };
}

export interface HeifPlane {
  id: EnumValue;
  /** A view into the WebAssembly heap: valid until the image is released or the heap grows. */
  data: Uint8Array;
  width: number;
  height: number;
  stride: number;
  bits_per_pixel: number;
}

/** What heif_js_decode_image2 returns on success. */
export interface HeifDecoded {
  image: HeifObject;
  width: number;
  height: number;
  channels: HeifPlane[];
}

export interface Libheif {
  HEAPU8: Uint8Array;
  heif_get_version(): string;
  heif_colorspace: { heif_colorspace_RGB: EnumValue };
  heif_chroma: { heif_chroma_interleaved_RGBA: EnumValue };
  heif_channel: { heif_channel_interleaved: EnumValue };
  heif_context_alloc(): HeifObject | null;
  heif_context_free(context: HeifObject): void;
  /** Copies the bytes; parses the boxes, decodes nothing. */
  heif_context_read_from_memory(context: HeifObject, bytes: Uint8Array): HeifError;
  heif_context_get_number_of_top_level_images(context: HeifObject): number;
  /** A handle, or a HeifError (it has `code`) when there is none. */
  heif_js_context_get_primary_image_handle(context: HeifObject): HeifObject | HeifError | null;
  /** Width and height with the transforms (irot, imir, clap) applied: the displayed size. */
  heif_image_handle_get_width(handle: HeifObject): number;
  heif_image_handle_get_height(handle: HeifObject): number;
  heif_image_handle_release(handle: HeifObject): void;
  /** Decodes with default options, which apply irot/imir/clap. Synchronous in this build; awaited in case. */
  heif_js_decode_image2(handle: HeifObject, colorspace: EnumValue, chroma: EnumValue): HeifDecoded | HeifError | null | Promise<HeifDecoded | HeifError | null>;
  heif_image_release(image: HeifObject): void;
  /** With max_output 0: how many parts (grid tiles) failed but were left blank instead of failing the decode. */
  _heif_image_get_decoding_warnings(image: number, firstIndex: number, out: number, maxOutput: number): number;
}

/** The Emscripten module options decodeHeic passes; the bundle adds `wasmBinary` itself. */
export interface LibheifOptions {
  onRuntimeInitialized?: () => void;
  onAbort?: (what: unknown) => void;
}

export function isHeifError(value: unknown): value is HeifError {
  return typeof value === 'object' && value !== null && 'code' in value;
}
