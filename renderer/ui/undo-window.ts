/**
 * A decision that waits a few seconds before it reaches the host, so a moderator who pressed the
 * wrong key can take it back. Leaving the view sends what is still waiting: nothing is lost.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export const UNDO_WINDOW_MS = 5_000;

function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

export interface UndoWindow {
  /** Waiting ids and when each is sent. */
  pending: ReadonlyMap<string, number>;
  start(id: string): void;
  /** Takes back the decision on `id`; false when it was already sent. */
  undo(id: string): boolean;
  /** The most recently started id that is still waiting. */
  latest: string | null;
}

export function useUndoWindow(commit: (id: string) => void, windowMs = UNDO_WINDOW_MS): UndoWindow {
  const [pending, setPending] = useState<ReadonlyMap<string, number>>(new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const commitRef = useRef(commit);
  commitRef.current = commit;

  const start = useCallback(
    (id: string) => {
      if (timers.current.has(id)) return;
      const timer = setTimeout(() => {
        timers.current.delete(id);
        setPending((current) => without(current, id));
        commitRef.current(id);
      }, windowMs);
      timers.current.set(id, timer);
      setPending((current) => new Map(current).set(id, Date.now() + windowMs));
    },
    [windowMs],
  );

  const undo = useCallback((id: string) => {
    const timer = timers.current.get(id);
    if (timer === undefined) return false;
    clearTimeout(timer);
    timers.current.delete(id);
    setPending((current) => without(current, id));
    return true;
  }, []);

  useEffect(
    () => () => {
      for (const [id, timer] of timers.current) {
        clearTimeout(timer);
        commitRef.current(id);
      }
      timers.current.clear();
    },
    [],
  );

  const ids = [...pending.keys()];
  return { pending, start, undo, latest: ids.length > 0 ? ids[ids.length - 1]! : null };
}
