// Lint rules for the whole workspace. Besides typescript-eslint's recommended set, it enforces the
// dependency rules of the design: `common` imports no component, no component imports another, and
// production code never imports the test fakes (`@mesh/common/testing`).
import tseslint from 'typescript-eslint';

const COMPONENTS = ['istiod', 'ztunnel', 'waypoint', 'cni', 'ambientctl', 'e2e'];

function restrictImports(self) {
  const others = COMPONENTS.filter((c) => c !== self);
  const patterns = [
    ...others.map((c) => ({
      group: [`@mesh/${c}`, `@mesh/${c}/*`, `../../${c}/*`, `../../../${c}/*`, `../${c}/*`],
      message: 'A component never imports another component; move shared code to common/.',
    })),
    { group: ['@mesh/common/src/*', '**/common/src/*'], message: 'Import common through its package entry points.' },
  ];
  return patterns;
}

const testFiles = ['**/*.test.ts', '**/*.test-util.ts', '**/test/**', '**/bench/**', 'e2e/**', 'common/src/testing/**'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/build/**', '**/dist/**', '**/gen/**', 'common/native/build/**', 'charts/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: COMPONENTS.map((c) => ({
            group: [`@mesh/${c}`, `@mesh/${c}/*`, `**/${c}/src/*`],
            message: 'common imports no component.',
          })),
        },
      ],
    },
  },
  ...COMPONENTS.map((c) => ({
    files: [`${c}/**/*.ts`],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrictImports(c),
            { group: ['@mesh/common/testing', '@mesh/common/testing/*'], message: 'Production code never imports test fakes.' },
          ],
        },
      ],
    },
  })),
  ...COMPONENTS.map((c) => ({
    files: testFiles.map((f) => `${c}/${f.replace(/^\*\*\//, '**/')}`),
    rules: { 'no-restricted-imports': ['error', { patterns: restrictImports(c) }] },
  })),
  {
    files: ['common/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...COMPONENTS.map((c) => ({ group: [`@mesh/${c}`, `@mesh/${c}/*`], message: 'common imports no component.' })),
            { group: ['**/testing/*', '**/testing'], message: 'Production code never imports test fakes.' },
          ],
        },
      ],
    },
  },
);
