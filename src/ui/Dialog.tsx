import type { ReactNode } from 'react';
import { Overlay } from './Overlay';
import './overlays.css';

/** A centred panel over the page with its title and a close button: help, storage, Finish, cull to a target. */
export function Dialog({ title, closeLabel, testId, className, onClose, children }: { title: string; closeLabel: string; testId: string; className?: string; onClose?: () => void; children: ReactNode }) {
  return (
    <Overlay label={title} className="overlay-centered" data-testid={testId} onBackdropClick={onClose}>
      <div className={`help-panel${className ? ` ${className}` : ''}`}>
        <header className="overlay-header">
          <h2>{title}</h2>
          <button type="button" className="overlay-close" aria-label={closeLabel} onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </Overlay>
  );
}
