import { defineConfig } from 'vitest/config';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const libsDir = fileURLToPath(new URL('./libs/', import.meta.url));
const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Every lib under libs/ by its package name, as tsconfig.base.json's paths map it.
    alias: Object.fromEntries(readdirSync(libsDir).map((n) => [`@imagefleet/${n}`, lib(n)])),
  },
  test: {
    include: ['libs/**/*.spec.ts', 'tools/**/*.spec.ts', 'test/**/*.spec.ts'],
    // The engine and client tools/dev-env/up.sh recorded (Docker 28 or 20.10).
    setupFiles: ['test/support/engine-env.ts'],
    // Integration tests drive a real Docker engine and registry: give them room, and keep
    // files sequential so they do not fight over the daemon's CPU (2 cores here).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
