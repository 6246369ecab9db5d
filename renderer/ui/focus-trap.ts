/**
 * Keeps keyboard focus inside a modal (WAI-ARIA dialog pattern): Tab cycles through its own fields,
 * focus that escapes (a click on the backdrop) is brought back, and no key pressed while it is open
 * reaches the single-key shortcuts of the view behind it (those listen on `window`, see keys.ts).
 */
import { useEffect, type RefObject } from 'react';

const FOCUSABLE =
  'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href]';

export function useFocusTrap(ref: RefObject<HTMLElement | null>, active = true): void {
  useEffect(() => {
    const root = ref.current;
    if (!active || !root) return;
    const focusables = () => [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (!root.contains(document.activeElement)) (focusables()[0] ?? root).focus();

    // Capture on window runs before every other keydown listener, including the shortcuts.
    const onKey = (event: KeyboardEvent) => {
      const inside = event.target instanceof Node && root.contains(event.target);
      if (event.key === 'Tab') {
        const items = focusables();
        const first = items[0];
        const last = items.at(-1);
        if (!first || !last) return event.preventDefault();
        const current = document.activeElement;
        if (!inside || (event.shiftKey && current === first) || (!event.shiftKey && current === last)) {
          event.preventDefault();
          (event.shiftKey ? last : first).focus();
        }
        return;
      }
      if (!inside) {
        event.preventDefault();
        event.stopPropagation();
        (focusables()[0] ?? root).focus();
      }
    };
    // Keys typed inside the dialog still reach its own (React) handlers, which listen at the app's
    // root element; they stop at `document`, before the window's shortcut listeners.
    const stopAtDocument = (event: KeyboardEvent) => {
      if (event.target instanceof Node && root.contains(event.target)) event.stopPropagation();
    };
    const onFocusIn = (event: FocusEvent) => {
      if (event.target instanceof Node && !root.contains(event.target)) (focusables()[0] ?? root).focus();
    };
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('keydown', stopAtDocument);
    document.addEventListener('focusin', onFocusIn);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      document.removeEventListener('keydown', stopAtDocument);
      document.removeEventListener('focusin', onFocusIn);
    };
  }, [ref, active]);
}
