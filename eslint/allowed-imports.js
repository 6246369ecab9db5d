// The layer rule of the house as an allowlist: each layer names what it MAY import (npm packages,
// Node built-ins or not, folders of this repository); anything else is an error. Folders are checked
// on the resolved path, not on the specifier's text, so `../../node/x.js` from any depth is seen for
// what it is. eslint.config.js says which layer gets which list; eslint/allowed-imports.test.ts
// lints violating snippets with the ESLint Node API to prove each list.
import { builtinModules } from 'node:module';
import path from 'node:path';

const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
const packageOf = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
const within = (file, folder) => file === folder || file.startsWith(`${folder}/`);

/** @type {import('eslint').Rule.RuleModule} */
export const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'A layer imports only the packages and folders its allowlist names.' },
    schema: [
      {
        type: 'object',
        properties: {
          layer: { type: 'string' },
          /** npm packages by name (a subpath of one is the package); '*' means any. */
          packages: { oneOf: [{ type: 'array', items: { type: 'string' } }, { enum: ['*'] }] },
          /** With packages '*': the ones that are still not allowed. */
          exceptPackages: { type: 'array', items: { type: 'string' } },
          builtins: { type: 'boolean' },
          /** Repository folders (from the root, no trailing slash) whose files may be imported. */
          folders: { type: 'array', items: { type: 'string' } },
        },
        required: ['layer', 'packages', 'folders'],
        additionalProperties: false,
      },
    ],
    messages: {
      folder: '{{layer}} may not import {{specifier}} ({{resolved}}): it may import only from {{folders}}.',
      package: '{{layer}} may not import the package {{name}}: it may import only {{packages}}.',
      builtin: '{{layer}} may not import the Node built-in {{specifier}}: this layer does not run in Node.',
    },
  },
  create(context) {
    const { layer, packages, exceptPackages = [], builtins = false, folders } = context.options[0];
    const root = context.cwd;
    const here = path.dirname(context.filename);
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const resolved = path.relative(root, path.resolve(here, specifier)).split(path.sep).join('/');
        if (!folders.some((folder) => within(resolved, folder))) {
          context.report({
            node,
            messageId: 'folder',
            data: { layer, specifier, resolved, folders: folders.join(', ') },
          });
        }
        return;
      }
      if (isBuiltin(specifier)) {
        if (!builtins) context.report({ node, messageId: 'builtin', data: { layer, specifier } });
        return;
      }
      const name = packageOf(specifier);
      const allowed = packages === '*' ? !exceptPackages.includes(name) : packages.includes(name);
      if (!allowed) {
        const list = packages === '*' ? `any package but ${exceptPackages.join(', ')}` : packages.join(', ');
        context.report({ node, messageId: 'package', data: { layer, name, packages: list } });
      }
    };
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      TSImportType: (node) => {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(literal, literal.value);
      },
      CallExpression: (node) => {
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          node.arguments[0]?.type === 'Literal'
        ) {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { 'allowed-imports': allowedImports } };
