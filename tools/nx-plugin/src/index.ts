import type { CreateNodes } from '@nx/devkit';
import { readFileSync } from 'node:fs';
export const createNodes: CreateNodes = [
  'services.manifest.yaml',
  async (files) => {
    const t: string = readFileSync(files[0]!, 'utf8');
    return files.map((f) => [f, { projects: { 'apps/a': { name: 'a', root: 'apps/a', targets: { hello: { command: 'echo hi ' + t.length } } } } }]);
  },
];
