/**
 * A consequential action asks first: the button opens a modal dialog (the native <dialog>, so focus
 * is trapped and Escape cancels) that says what will happen; only its confirm button acts.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useT } from './messages.ts';

export function ConfirmButton({
  label,
  question,
  confirmLabel,
  className = 'button',
  disabled,
  onConfirm,
  children,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  className?: string;
  disabled?: boolean;
  onConfirm(): void;
  children?: ReactNode;
}) {
  const t = useT();
  const [isOpen, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (isOpen && !d.open) d.showModal();
    if (!isOpen && d.open) d.close();
  }, [isOpen]);
  return (
    <>
      <button type="button" className={className} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm card" aria-label={label} onClose={() => setOpen(false)}>
        <p className="notice-title">{question}</p>
        {children}
        <div className="actions">
          <button
            type="button"
            className="button primary"
            onClick={() => {
              setOpen(false);
              onConfirm();
            }}
          >
            {confirmLabel}
          </button>
          <button type="button" className="button" onClick={() => setOpen(false)}>
            {t('cancel')}
          </button>
        </div>
      </dialog>
    </>
  );
}
