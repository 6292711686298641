// The store, handed down to the pages (presentational components get props, never the store).
import { createContext, useContext, type ReactNode } from 'react';
import type { MeshStore } from '../store/store.js';
import type { MeshState } from '../store/types.js';

const StoreContext = createContext<MeshStore | null>(null);

export function StoreProvider({ store, children }: { store: MeshStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** A part of the state; the component renders again when that part changes. */
export function useMesh<T>(selector: (state: MeshState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useMesh outside StoreProvider');
  return store(selector);
}

/** The store's actions (functions never change, so reading them does not subscribe to anything). */
export type MeshActions = {
  [K in keyof MeshState as MeshState[K] extends (...args: never[]) => unknown ? K : never]: MeshState[K];
};

export function useActions(): MeshActions {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useActions outside StoreProvider');
  return store.getState();
}
