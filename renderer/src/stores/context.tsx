import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StudioClient } from '../../../shared/api/rpc';
import type { StudioState, StudioStore } from './studioStore';

export const StoreContext = createContext<{ store: StudioStore; client: StudioClient } | null>(null);

function useCtx() {
  const ctx = useContext(StoreContext);
  if (!ctx) throw new Error('StoreContext missing');
  return ctx;
}

export function useStudio<T>(selector: (s: StudioState) => T): T {
  return useStore(useCtx().store, selector);
}
export function useActions(): StudioStore['actions'] {
  return useCtx().store.actions;
}

export function useClient(): StudioClient {
  return useCtx().client;
}

/** The store itself, for handlers that read the latest state when they run (not on render). */
export function useStudioStore(): StudioStore {
  return useCtx().store;
}
