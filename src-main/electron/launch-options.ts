// What the desktop app is started with: the node's data dir (the same default as meshctl, so
// meshctl finds the app's node), its listen addresses and mDNS, and whether to start in the tray.
// No Electron here: plain Node tests read it.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../node/config/data-dir.js';
import { GPU_MODES, type GpuSetting } from '../node/gpu/gpu-service.js';

const gpuSetting = (value: string | undefined): GpuSetting =>
  (GPU_MODES as readonly string[]).includes(value ?? '') ? (value as GpuSetting) : 'auto';

export interface LaunchOptions {
  dataDir: string;
  /** Undefined: every interface, on the port the data dir keeps (network.json). */
  listen: string[] | undefined;
  mdns: boolean;
  /** Started at login: stay in the tray, no window. */
  hidden: boolean;
  /** GPU units: auto (a hardware adapter only), on, off (`--gpu`, else MESH_GPU). */
  gpu: GpuSetting;
  /** Peers' own WGSL shaders too (`--shader-units`, else MESH_SHADER_UNITS=1); off by default. */
  shaderUnits: boolean;
}

/** The flag the app passes itself when the OS starts it at login. */
export const HIDDEN_FLAG = '--hidden';

/**
 * Reads our flags out of the app's arguments; Chromium's own switches and anything else are left
 * alone (Electron puts them in the same argv), and so is a bad value, which falls back to the default.
 */
export function launchOptions(args: readonly string[], env: NodeJS.ProcessEnv = process.env): LaunchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'data-dir': { type: 'string' },
      listen: { type: 'string', multiple: true },
      'no-mdns': { type: 'boolean' },
      hidden: { type: 'boolean' },
      gpu: { type: 'string' },
      'shader-units': { type: 'boolean' },
    },
    strict: false,
    allowPositionals: true,
  });
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const listen = Array.isArray(values.listen)
    ? values.listen.filter((a): a is string => typeof a === 'string' && a.startsWith('/'))
    : [];
  return {
    dataDir: text(values['data-dir']) ?? defaultDataDir(env),
    listen: listen.length > 0 ? listen : undefined,
    mdns: values['no-mdns'] !== true,
    hidden: values.hidden === true,
    gpu: gpuSetting(text(values.gpu) ?? env['MESH_GPU']),
    shaderUnits: values['shader-units'] === true || env['MESH_SHADER_UNITS'] === '1',
  };
}
