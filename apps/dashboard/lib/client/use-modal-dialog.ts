'use client';

// A <dialog> shown as a modal while `isOpen` (focus moves into it; Escape closes it, and its
// onClose should then set isOpen back), closed when it turns false.
import { type RefObject, useEffect, useRef } from 'react';

export function useModalDialog(isOpen: boolean): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) element.showModal();
    if (!isOpen && element.open) element.close();
  }, [isOpen]);
  return dialog;
}
