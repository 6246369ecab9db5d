// Lint rules of the house. The layer rules below are allowlists: each layer names what it may import
// (eslint/allowed-imports.js checks it), so anything new is refused until someone decides it belongs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './eslint/allowed-imports.js';

const TESTS = ['**/*.test.ts', '**/*.test.tsx'];

const NODE_LAYER = {
  layer: 'pipeline/node',
  packages: '*',
  exceptPackages: ['electron', 'react', 'react-dom', 'zustand', '@tanstack/react-virtual', 'uplot'],
  builtins: true,
  folders: ['pipeline/core', 'pipeline/node'],
};

/**
 * One layer's allowlist (eslint/allowed-imports.js): its source files get `allowed`, its tests the
 * same plus vitest, Node and the test helpers (they run in Node under vitest, not in the layer's runtime).
 */
function layer(files, allowed) {
  const rule = (options) => ({ 'layers/allowed-imports': ['error', options] });
  const packagesForTests = allowed.packages === '*' ? '*' : [...allowed.packages, 'vitest'];
  return [
    { files, ignores: TESTS, plugins: { layers }, rules: rule(allowed) },
    {
      files: files.map((glob) => glob.replace(/\*\.(tsx?)$/, '*.test.$1')),
      plugins: { layers },
      rules: rule({ ...allowed, packages: packagesForTests, builtins: true, folders: [...allowed.folders, 'test'] }),
    },
  ];
}

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
    files: ['**/*.mjs', 'bin/**/*.js', 'eslint.config.js', 'eslint/**/*.js'],
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
  // pipeline/core is pure: zod, the rules engine and other core modules; no Node, no DOM.
  ...layer(['pipeline/core/**/*.ts'], {
    layer: 'pipeline/core',
    packages: ['zod', 'json-logic-engine'],
    folders: ['pipeline/core'],
  }),
  // Node code: any package but the UI's and Electron's, Node built-ins, core; never renderer/ or electron/.
  ...layer(['pipeline/node/**/*.ts'], NODE_LAYER),
  {
    // `bitbrat bench` answers bot mentions with the local OpenAI-compatible server the tests use.
    files: ['pipeline/node/cli/bench.ts'],
    rules: { 'layers/allowed-imports': ['error', { ...NODE_LAYER, folders: [...NODE_LAYER.folders, 'test/support'] }] },
  },
  // The console: its UI libraries, its own files, and types and schemas from core. zod is there for
  // zod-jitless.ts (the console's CSP forbids eval).
  ...layer(['renderer/**/*.ts', 'renderer/**/*.tsx'], {
    layer: 'renderer',
    packages: ['react', 'react-dom', 'zustand', '@tanstack/react-virtual', 'uplot', 'zod'],
    folders: ['renderer', 'pipeline/core'],
  }),
  // The sandboxed preload: contextBridge and ipcRenderer from electron, core, its own files.
  ...layer(['electron/preload/**/*.ts'], {
    layer: 'electron/preload',
    packages: ['electron'],
    folders: ['electron/preload', 'pipeline/core'],
  }),
  {
    files: ['electron/preload/**/*.ts'],
    ignores: TESTS,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              allowImportNames: ['contextBridge', 'ipcRenderer'],
              message: 'A sandboxed preload has only contextBridge and ipcRenderer from electron.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer runs in a browser page: no Node globals, no IPC; it reaches the host only through its Bridge.
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: TESTS,
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'require', 'module', 'Buffer', 'global', '__dirname', '__filename', 'ipcRenderer'].map(
          (name) => ({
            name,
            message:
              'The renderer runs in a browser page: no Node or Electron globals; it talks to the host through its Bridge.',
          }),
        ),
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
