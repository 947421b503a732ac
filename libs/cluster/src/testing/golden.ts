/**
 * Golden files: `expectGolden(name, text)` compares with `src/__golden__/<name>`;
 * `UPDATE_GOLDEN=1 npx vitest run libs/cluster` rewrites them (review the diff before committing).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN = fileURLToPath(new URL('../__golden__/', import.meta.url));

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI) throw new Error(`golden file ${name} is missing; run UPDATE_GOLDEN=1 locally`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 to accept a change)`).toBe(readFileSync(file, 'utf8'));
}
