/** Camera RAW files: detection and the largest embedded JPEG preview (docs/camera-files.md). */
export { detectRaw, type RawFormat } from './rawFormat';
export { readRawPreview, DEFAULT_MIN_SHORT_SIDE, type RawPreview, type RawPreviewOptions, type RawPreviewResult } from './rawPreview';
