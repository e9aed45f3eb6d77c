import { useEffect, useRef, type MouseEvent, type ReactNode } from 'react';
import './overlays.css';

type DataAttributes = { [key: `data-${string}`]: string | number | undefined };

export type OverlayProps = {
  /** Names the dialog for screen readers (there is no visible heading to point at in the loupe). */
  label: string;
  className?: string;
  children: ReactNode;
  /** Called when the dark backdrop itself (not its content) is clicked. */
  onBackdropClick?: () => void;
} & DataAttributes;

/** Modal shell shared by the loupe, compare and help views; keys (Esc included) stay with the caller. */
export function Overlay({ label, className, children, onBackdropClick, ...data }: OverlayProps) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // Focus moves into the dialog so it is announced, and back to where it was so keyboard culling carries on
    // from the same place; the grid behind must not scroll under the overlay.
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.focus({ preventScroll: true });
    const overflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    return () => {
      document.body.style.overflow = overflow;
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, []);

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if (onBackdropClick && e.target === e.currentTarget) onBackdropClick();
  };

  return (
    <div
      ref={ref}
      {...data}
      className={`overlay${className ? ` ${className}` : ''}`}
      role="dialog"
      aria-modal="true"
      aria-label={label}
      tabIndex={-1}
      onClick={onClick}
    >
      {children}
    </div>
  );
}
