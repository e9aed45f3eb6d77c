/** Export choices the user makes once and keeps (saved in state/settings.ts), read when an export runs. */
import { create } from 'zustand';
import type { SidecarNaming } from '../library/export/sidecarName';
import { loadRawSidecarNaming, saveRawSidecarNaming } from './settings';

interface ExportSettings {
  /** RAW sidecars: 'replace' is Lightroom's IMG_0001.xmp, 'append' darktable's and digiKam's IMG_0001.CR2.xmp. */
  rawSidecarNaming: SidecarNaming;
}

export const useExportSettings = create<ExportSettings>(() => ({ rawSidecarNaming: 'replace' }));

export async function restoreExportSettings(): Promise<void> {
  useExportSettings.setState({ rawSidecarNaming: await loadRawSidecarNaming() });
}

export function setRawSidecarNaming(naming: SidecarNaming): void {
  useExportSettings.setState({ rawSidecarNaming: naming });
  // Blocked storage keeps the choice for this visit only; the export itself does not depend on saving it.
  void saveRawSidecarNaming(naming).catch(() => undefined);
}
