/**
 * The Nx plugin's entry (nx.json `plugins`): the plugin's TypeScript bundled by
 * tools/bundle.mjs. Nx starts a plugin worker to compute the project graph (and the daemon keeps
 * it); loading one bundle costs ~0.1 s, transpiling the sources ~2.3 s. The plugin exports only
 * `createNodes`: the work runs in the batch executors (executors.json).
 */
import { pathToFileURL } from 'node:url';
import { ensureBundle } from '../bundle.mjs';

const bundle = await ensureBundle({
  entry: 'tools/nx-plugin/src/index.ts',
  outfile: 'tools/nx-plugin/dist/plugin.mjs',
  external: ['nx'],
});
const plugin = await import(pathToFileURL(bundle).href);

export const { createNodes } = plugin;
