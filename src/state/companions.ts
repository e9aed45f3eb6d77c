/**
 * The RAW half of RAW+JPEG photos (library/rawJpegPairs.ts): recorded on the JPEG's tile and stored record,
 * its File kept beside the JPEG's (state/files.ts). Used while identifying a drop (state/ingest.ts).
 */
import type { PickedFile } from '../library/collectFiles';
import { setCompanion, type StoredCompanion } from '../library/persistence';
import { pairKey, type ExistingPhoto, type Pairing } from '../library/rawJpegPairs';
import { attachCompanionFile } from './files';
import { db } from './libraryDb';
import { useLibrary } from './libraryStore';
import { reportStorageError } from './storageErrors';

export function companionRecord(f: PickedFile): StoredCompanion {
  return { name: f.file.name, path: f.path, bytes: f.file.size };
}

/** The library's photos, for a RAW dropped after its JPEG (unreadable tiles have no content to pair with). */
export function existingPhotos(): ExistingPhoto[] {
  const { tiles, order } = useLibrary.getState();
  return order.flatMap((id) => {
    const t = tiles[id];
    return id.startsWith('unreadable:') ? [] : [{ id, path: t.path, companionPath: t.companion?.path }];
  });
}

/**
 * Attaches a drop's RAW to the photo at `tilePath` (its File, the tile, the record) when it belongs there: a
 * copy of the same JPEG in another folder keeps one tile at the first path, and a RAW beside the copy is not
 * that photo's RAW.
 */
export function attachCompanion(id: string, tilePath: string, companion: PickedFile | undefined): void {
  if (!companion || pairKey(companion.path) !== pairKey(tilePath)) return;
  attachCompanionFile(id, companion.file);
  const record = companionRecord(companion);
  const now = useLibrary.getState().tiles[id]?.companion;
  if (now && now.path === record.path && now.bytes === record.bytes) return;
  useLibrary.getState().patchTile(id, { companion: record });
  void setCompanion(db, id, record).catch(reportStorageError);
}

/** RAWs that arrived in a later drop than their JPEG join its photo. */
export function attachLateCompanions(late: Pairing['late']): void {
  for (const { id, companion } of late) {
    const t = useLibrary.getState().tiles[id];
    if (t) attachCompanion(id, t.path, companion);
  }
}
