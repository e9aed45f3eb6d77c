import { useExportSettings } from '../state/exportSettings';
import { useLibrary } from '../state/libraryStore';
import { librarySummary } from '../state/librarySummary';
import { rawSidecarsDarktable, rawSidecarsLightroom } from './actions/exportActions';
import { useAction } from './actions/useAction';

/** How the XMP zip names RAW sidecars; shown only when the library holds RAW files, the only ones it changes. */
export function RawSidecarChoice() {
  const naming = useExportSettings((s) => s.rawSidecarNaming);
  const hasRaw = useLibrary((s) => librarySummary(s).raw > 0);
  const lightroom = useAction(rawSidecarsLightroom);
  const darktable = useAction(rawSidecarsDarktable);
  if (!hasRaw) return null;
  return (
    <label title="Each tool reads a RAW file's sidecar under one name only">
      RAW sidecars{' '}
      <select value={naming} data-testid="raw-sidecar-naming" onChange={(e) => (e.target.value === 'append' ? darktable : lightroom).run()}>
        <option value="replace" title={lightroom.title}>
          {lightroom.label}
        </option>
        <option value="append" title={darktable.title}>
          {darktable.label}
        </option>
      </select>
    </label>
  );
}
