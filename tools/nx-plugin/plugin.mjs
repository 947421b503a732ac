/**
 * The Nx plugin's entry (nx.json `plugins`): the plugin's TypeScript bundled by
 * tools/bundle.mjs. Nx starts a fresh plugin worker for graph computation and again for each
 * task-execution hook; loading one bundle costs ~0.1 s, transpiling the sources ~2.3 s.
 */
import { pathToFileURL } from 'node:url';
import { ensureBundle } from '../bundle.mjs';

const bundle = await ensureBundle({
  entry: 'tools/nx-plugin/src/index.ts',
  outfile: 'tools/nx-plugin/dist/plugin.mjs',
  external: ['nx'],
});
const plugin = await import(pathToFileURL(bundle).href);

export const { createNodes, createNodesV2, preTasksExecution, postTasksExecution } = plugin;
