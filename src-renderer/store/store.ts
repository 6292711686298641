// The one store of the UI, created with the transport the page started with.
import { create } from 'zustand';
import type { MeshTransport } from '../api/transport.js';
import { circlesSlice } from './circles-slice.js';
import { commonSlice } from './common-slice.js';
import { jobsSlice } from './jobs-slice.js';
import { ledgerSlice } from './ledger-slice.js';
import { logSlice } from './log-slice.js';
import { nodeSlice } from './node-slice.js';
import { peersSlice } from './peers-slice.js';
import type { MeshState } from './types.js';

export function createMeshStore(transport: MeshTransport) {
  return create<MeshState>()((set, get) => ({
    ...commonSlice(set, get, transport),
    ...nodeSlice(set, get, transport),
    ...peersSlice(set, get, transport),
    ...ledgerSlice(set, get, transport),
    ...jobsSlice(set, get, transport),
    ...circlesSlice(set, get, transport),
    ...logSlice(set, get, transport),
  }));
}

export type MeshStore = ReturnType<typeof createMeshStore>;
