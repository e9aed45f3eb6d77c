import { useAppUpdated } from '../offline/registerServiceWorker';

/**
 * A newer build was installed while this tab was open. The tab goes on with the build it loaded (its files
 * stay cached for it, offline too); a reload switches, when the user chooses.
 */
export function UpdateBanner() {
  const updated = useAppUpdated();
  if (!updated) return null;
  return (
    <div className="banner banner-info" data-testid="update-banner" role="status">
      A new version of Loupe is installed. This tab keeps working on the one it opened with; reload when it suits
      you (scores and decisions are kept; dropped files need reconnecting).{' '}
      <button onClick={() => location.reload()} data-testid="update-reload">
        Reload
      </button>
    </div>
  );
}
