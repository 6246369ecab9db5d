// Lint rules of the house. The layer rules below make an import against the runtime direction
// fail the build: pipeline/core is pure; the renderer and preload never reach into Node code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'worker_threads',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'url',
  'events',
  'stream',
];
const banNodeBuiltins = nodeBuiltins.map((name) => ({
  group: [name],
  message: 'Node built-ins are not allowed in this layer.',
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'coverage/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]",
          message: 'No focused tests.',
        },
      ],
    },
  },
  {
    // Plain JavaScript scripts and test fixtures run in Node.
    files: ['**/*.mjs', 'bin/**/*.js', 'eslint.config.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'URL',
          'Buffer',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['pipeline/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banNodeBuiltins,
            {
              group: [
                '**/node/**',
                '**/renderer/**',
                '**/electron/**',
                'better-sqlite3',
                'ws',
                'react',
                'react-dom',
                'tmi.js',
                'openai',
                '@twurple/*',
              ],
              message: 'pipeline/core is pure: it imports only other pure modules, zod and json-logic-engine.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['pipeline/node/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/electron/**', 'react', 'react-dom', 'electron'],
              message: 'Node pipeline code does not import the renderer or Electron.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx', 'electron/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banNodeBuiltins,
            {
              group: ['**/pipeline/node/**', 'better-sqlite3', 'ws', 'tmi.js', 'openai', '@twurple/*'],
              message: 'The renderer and preload import only types and schemas from pipeline/core.',
            },
            { group: ['**/electron/main/**'], message: 'The renderer and preload never import the main process.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
