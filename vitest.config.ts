import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));
const libs = readdirSync(`${root}libs`);

/** A unit project: one lib's or tool's specs, no Docker, no registry binary, no network; files in parallel. */
const unit = (name: string, dir: string) => ({
  extends: true as const,
  test: { name, include: [`${dir}/src/**/*.spec.ts`], fileParallelism: true, testTimeout: 20_000 },
});

export default defineConfig({
  resolve: {
    // Every lib by its package name (and `<lib>/testing`), as tsconfig.base.json's paths map it: the
    // sources of this checkout, not whatever node_modules/@imagefleet links to.
    alias: [{ find: /^@imagefleet\/([a-z-]+)(\/testing)?$/, replacement: `${root}libs/$1/src$2/index.ts` }],
  },
  test: {
    // One vitest project per Nx project: `npm test` runs them all, `npm run test:unit` all but e2e,
    // and each project's `test` target (its package.json script) its own.
    projects: [
      ...libs.map((lib) => unit(lib, `libs/${lib}`)),
      unit('cli', 'tools/cli'),
      unit('nx-plugin', 'tools/nx-plugin'),
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.spec.ts'],
          // The engine and client tools/dev-env/up.sh recorded (Docker 28 or 20.10).
          setupFiles: ['test/support/engine-env.ts'],
          // Integration tests drive a real Docker engine and registry: give them room, and keep
          // files sequential so they do not fight over the daemon's CPU (2 cores here).
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
