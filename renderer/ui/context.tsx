/** The bridge and the store, handed to every view through React context (no global singletons). */
import { createContext, useCallback, useContext } from 'react';
import { useStore } from 'zustand';
import type { Bridge } from '../../pipeline/core/bridge.js';
import { errorText, notify, type ConsoleState, type ConsoleStore } from '../state/store.js';

export interface ConsoleContextValue {
  bridge: Bridge;
  store: ConsoleStore;
  moderator: string;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsoleContext(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('ConsoleContext is missing');
  return value;
}

export function useConsole<T>(selector: (state: ConsoleState) => T): T {
  return useStore(useConsoleContext().store, selector);
}

/** Runs a host call, reporting a failure as a notice instead of an unhandled rejection. */
export function useHostAction() {
  const { store } = useConsoleContext();
  return useCallback(
    async <T,>(what: string, run: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await run();
      } catch (error) {
        notify(store, `${what} failed: ${errorText(error)}`, 'error');
        return undefined;
      }
    },
    [store],
  );
}
