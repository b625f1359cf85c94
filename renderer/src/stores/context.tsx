import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StudioActions, StudioState, StudioStore } from './studioStore';

/** The store of this window. Components reach the host only through its actions (DESIGN.md §3.12). */
export const StoreContext = createContext<StudioStore | null>(null);

function useStoreFromContext(): StudioStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext missing');
  return store;
}

export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useStoreFromContext(), selector);
}
export function useActions(): StudioActions {
  return useStoreFromContext().actions;
}

/** The store itself, for handlers that read the latest state when they run (not on render). */
export function useStudioStore(): StudioStore {
  return useStoreFromContext();
}
