// ESLint: typescript-eslint's recommended rules (syntax only, no type information: seconds, not
// minutes) and Nx's module boundaries — which lib may import which, by the `layer:` tag in each
// package.json. Formatting is prettier's job (eslint-config-prettier turns off the rules it owns).
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Each layer may use its own and the layers below it; feature libs never use each other. */
const layers = {
  'layer:core': ['layer:core'],
  'layer:domain': ['layer:core', 'layer:domain'],
  'layer:pipeline': ['layer:core', 'layer:domain'],
  'layer:feature': ['layer:core', 'layer:domain', 'layer:pipeline'],
  'layer:adapter': ['layer:core', 'layer:domain', 'layer:pipeline', 'layer:feature'],
  'layer:e2e': ['layer:core', 'layer:domain', 'layer:pipeline', 'layer:feature', 'layer:adapter', 'layer:e2e'],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'artifacts/**', '.nx/**', '.imagefleet/**', '**/__golden__/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      // `_name` says "deliberately unused" (a destructured field left out, a callback's slot).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The benchmarks start their registries and workspaces with the integration suites' helpers.
          allow: ['../test/support/*'],
          depConstraints: Object.entries(layers).map(([sourceTag, allowed]) => ({
            sourceTag,
            onlyDependOnLibsWithTags: allowed,
          })),
        },
      ],
    },
  },
  // CommonJS files (Nx loads executors through require) may use require.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  prettier,
);
