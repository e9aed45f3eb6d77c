/**
 * The File behind each tile in this tab, by content hash. Files cannot be stored (only their hashes and
 * what was made from them), so this registry lives as long as the page; a reload asks for the folder again.
 */
const files = new Map<string, File>();

export function fileOf(id: string): File | undefined {
  return files.get(id);
}

export function hasFile(id: string): boolean {
  return files.has(id);
}

export function attachFile(id: string, file: File): void {
  files.set(id, file);
}

/** The RAW beside a paired JPEG, by the JPEG's tile id: never analysed, but copied with it. */
const companions = new Map<string, File>();

export function companionFileOf(id: string): File | undefined {
  return companions.get(id);
}

export function attachCompanionFile(id: string, file: File): void {
  companions.set(id, file);
}
