// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

/** Every Node built-in, with and without the `node:` prefix. */
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** @param {string[]} names @param {string} message */
const forbidPaths = (names, message) => names.map((name) => ({ name, message }));

/** @param {string[]} groups @param {string} message */
const forbidPatterns = (groups, message) => ({ group: groups, message });

const hardwareLibs = ['serialport', 'node-hid', '@serialport/*'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', '**/*.min.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']",
          message: 'No focused tests.',
        },
        {
          selector: "CallExpression[callee.object.name='it'][callee.property.name='only']",
          message: 'No focused tests.',
        },
        {
          selector: "CallExpression[callee.object.name='test'][callee.property.name='only']",
          message: 'No focused tests.',
        },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  // Config files may export default (tools require it).
  {
    files: ['*.config.ts', '*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Zone: protocol/ runs anywhere (kiosk, relay, VRS, browser): no Node, no DOM, no other folder.
  {
    files: ['protocol/**/*.ts'],
    ignores: ['protocol/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbidPaths(
            [...nodeBuiltins, 'ws', 'electron', 'pg', '@electric-sql/pglite', ...hardwareLibs],
            'protocol/ must run anywhere: no Node, DOM or device imports.',
          ),
          patterns: [
            forbidPatterns(
              ['node:*', '**/kiosk/**', '**/relay/**', '**/vrs-sim/**', '**/hardware-sim/**', '**/common/**'],
              'protocol/ imports nothing from other folders or Node.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['protocol/**/*.ts'],
    ignores: ['protocol/**/*.test.ts'],
    languageOptions: { globals: { process: 'off', Buffer: 'off', setImmediate: 'off' } },
    rules: { 'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'] },
  },
  // Zone: the kiosk renderer is DOM only.
  {
    files: ['kiosk/renderer/**/*.ts'],
    ignores: ['kiosk/renderer/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbidPaths(
            [...nodeBuiltins, 'electron', 'ws', 'pdfkit', ...hardwareLibs],
            'The renderer is DOM only: no Node, Electron, drivers or network.',
          ),
          patterns: [
            forbidPatterns(
              [
                'node:*',
                '**/drivers/**',
                '**/kiosk/main/**',
                '**/main/**',
                '**/core/**',
                '**/relay/**',
                '**/vrs-sim/**',
                '**/hardware-sim/**',
                '**/common/**',
              ],
              'The renderer imports no driver, no main-process code, no key.',
            ),
          ],
        },
      ],
    },
  },
  // Zone: kiosk code never reaches into the simulators, the relay or VRS (tests may use simulators).
  {
    files: ['kiosk/**/*.ts'],
    ignores: ['kiosk/**/*.test.ts', 'kiosk/renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbidPatterns(
              ['**/hardware-sim/**', '**/relay/**', '**/vrs-sim/**'],
              'The kiosk talks to the relay over the wire only, and to devices through drivers.',
            ),
          ],
        },
      ],
    },
  },
  // Zone: drivers receive their transport; only transports import serialport / node-hid.
  {
    files: ['kiosk/drivers/**/*.ts'],
    ignores: ['kiosk/drivers/**/*.test.ts', 'kiosk/drivers/transports/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbidPaths(
            hardwareLibs,
            'Drivers receive a transport; only kiosk/drivers/transports/ imports device libraries.',
          ),
          patterns: [
            forbidPatterns(
              ['**/hardware-sim/**', '**/relay/**', '**/vrs-sim/**', '@serialport/*'],
              'Drivers receive a transport.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['relay/**/*.ts'],
    ignores: ['relay/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbidPatterns(
              ['**/kiosk/**', '**/vrs-sim/**', '**/hardware-sim/**'],
              'The relay knows kiosks and VRS only through protocol/.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['vrs-sim/**/*.ts'],
    ignores: ['vrs-sim/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbidPatterns(
              ['**/kiosk/**', '**/relay/**', '**/hardware-sim/**'],
              'VRS knows the relay and kiosks only through protocol/.',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['common/**/*.ts'],
    ignores: ['common/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbidPatterns(
              ['**/kiosk/**', '**/relay/**', '**/vrs-sim/**', '**/hardware-sim/**'],
              'common/ is shared by the Node services and depends on none of them.',
            ),
          ],
        },
      ],
    },
  },
);
