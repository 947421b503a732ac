/**
 * The executors' entry as Nx loads it (require): each export loads the plugin's bundle
 * (tools/bundle.mjs rebuilds it when a source is newer, so there is no build step to forget)
 * and hands over. Batch implementations are async generators, as Nx's batch runner expects.
 */
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// The loaded plugin module (code, not data): every task of this process runs the same bundle.
let bundle;
const load = () =>
  (bundle ??= import(pathToFileURL(join(__dirname, '..', 'bundle.mjs')).href)
    .then(({ ensureBundle }) =>
      ensureBundle({
        entry: 'tools/nx-plugin/src/index.ts',
        outfile: 'tools/nx-plugin/dist/plugin.mjs',
        external: ['nx'],
      }),
    )
    .then((file) => import(pathToFileURL(file).href)));

exports.push = async (options, context) => (await load()).pushExecutor(options, context);
exports.pushBatch = async function* (taskGraph, inputs, overrides, context) {
  yield* (await load()).pushBatch(taskGraph, inputs, overrides, context);
};
exports.image = async (options, context) => (await load()).imageExecutor(options, context);
exports.imageBatch = async function* (taskGraph, inputs, overrides, context) {
  yield* (await load()).imageBatch(taskGraph, inputs, overrides, context);
};
exports.verify = async (options, context) => (await load()).verifyExecutor(options, context);
exports.verifyBatch = async function* (taskGraph, inputs, overrides, context) {
  yield* (await load()).verifyBatch(taskGraph, inputs, overrides, context);
};
