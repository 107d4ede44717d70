/**
 * A modal dialog on the native <dialog> element: focus is trapped and Escape closes it, as the
 * platform does. `onClose` runs however it closes (Escape, the Close button, a submit that ends).
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function Dialog({
  title,
  onClose,
  children,
  testId,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    // jsdom has no showModal; the open attribute is enough there.
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog wide' : 'dialog'}
      aria-label={title}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

interface FormFooterProps {
  /** A message to show above the buttons (role=alert). */
  error?: string | null;
  errorId?: string;
  errorTestId?: string;
  submitLabel: string;
  /** The label while `busy`; the submit button is disabled then. */
  busyLabel?: string;
  busy?: boolean;
  disabled?: boolean;
  variant?: 'primary' | 'danger';
  submitTestId?: string;
  onCancel: () => void;
}

/** A dialog form's end: its error, Cancel, and the submit button. */
export function FormFooter({
  error,
  errorId,
  errorTestId,
  submitLabel,
  busyLabel,
  busy = false,
  disabled = false,
  variant = 'primary',
  submitTestId,
  onCancel,
}: FormFooterProps) {
  return (
    <>
      {error ? (
        <p id={errorId} className="error" role="alert" data-testid={errorTestId}>
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className={variant} data-testid={submitTestId} disabled={busy || disabled}>
          {busy && busyLabel ? busyLabel : submitLabel}
        </button>
      </div>
    </>
  );
}
