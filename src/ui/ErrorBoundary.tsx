import { Component, type ErrorInfo, type ReactNode } from 'react';

interface State {
  error: Error | null;
}

/**
 * A render error would otherwise blank the whole page. Decisions, stars and scores are written to
 * IndexedDB as they are made, so the message can promise that a reload loses nothing.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Loupe could not draw the page:', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="render-error" role="alert" data-testid="render-error">
        <p>
          <strong>Loupe hit a bug while drawing the page:</strong> {error.message}
        </p>
        <p>Your picks, rejects, stars and scores are saved. Reloading brings them back.</p>
        <button type="button" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
