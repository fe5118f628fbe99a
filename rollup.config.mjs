// Build: dist/index.js + dist/define.js (ES modules, dependencies external, .d.ts beside them),
// dist/server.js (meshcall/server, for Node: `peer` and Node's modules external)
// and dist/meshcall.bundle.js (one self-contained, minified ES module with lit and peerjs inside).
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
// Every runtime dependency (lit, peerjs, ...) and lit's own packages, with their subpaths.
const externalPackages = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'lit-html',
  'lit-element',
  '@lit/reactive-element',
];
const isExternal = (id) =>
  id.startsWith('node:') || externalPackages.some((name) => id === name || id.startsWith(`${name}/`));

/** Fail the build on warnings that usually mean a broken output. */
function onwarn(warning, warn) {
  if (warning.code === 'UNRESOLVED_IMPORT') {
    throw new Error(`Unresolved import: ${warning.exporter ?? warning.message}`);
  }
  // Third-party ES5 helpers (`this && this.__awaiter`) in ES modules: harmless.
  if (warning.code === 'THIS_IS_UNDEFINED' && /node_modules/.test(warning.id ?? '')) return;
  warn(warning);
}

export default [
  {
    input: { index: 'src/index.ts', define: 'src/define.ts', server: 'src/server/index.ts' },
    external: isExternal,
    onwarn,
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      hoistTransitiveImports: false,
    },
    plugins: [
      typescript({
        tsconfig: './tsconfig.build.json',
        noEmitOnError: true, // type errors fail the build instead of being printed as warnings
        declaration: true,
        declarationMap: true,
        declarationDir: 'dist',
        outDir: 'dist',
        sourceMap: true,
      }),
    ],
  },
  {
    input: 'src/bundle.ts',
    onwarn,
    output: {
      file: 'dist/meshcall.bundle.js',
      format: 'es',
      sourcemap: true,
      inlineDynamicImports: true,
    },
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
      commonjs(),
      typescript({
        tsconfig: './tsconfig.build.json',
        noEmitOnError: true,
        declaration: false,
        declarationMap: false,
        outDir: 'dist',
        sourceMap: true,
      }),
      terser({ format: { comments: false } }),
    ],
  },
];
