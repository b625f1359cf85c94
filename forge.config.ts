import type { Configuration } from 'electron-builder';

/**
 * Packaging of the Electron app (electron-builder; `npm run package`). Named forge.config.ts because it holds the
 * "forge" settings of the app: what ships, and the Electron fuses that lock the binary down (DESIGN.md §3.3).
 * It cannot package on the project's build machines (the Electron zip cannot be downloaded there), so
 * tests/packaging.test.ts validates it with electron-builder's own schema and packages with it (the `dir` target,
 * a stand-in Electron binary that is only a fuse wire), checking app.asar, the resources and the fuses.
 */
const config: Configuration = {
  appId: 'org.sel4studio.app',
  productName: 'seL4 Studio',
  directories: { output: 'release', buildResources: 'resources' },
  asar: true,
  files: ['dist/electron/**', 'dist/renderer/**', 'package.json', '!**/*.map'],
  // A production dependency that is not found is an error, not a warning: shipping without it (serialport's
  // bindings, say) breaks the app at run time with MODULE_NOT_FOUND.
  allowMissingDependencies: false,
  extraResources: [
    { from: 'boards', to: 'boards', filter: ['**/*'] },
    { from: 'resources', to: 'resources', filter: ['**/*'] },
  ],
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: { target: ['AppImage', 'deb'], category: 'Development', icon: 'resources/icon.svg' },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools' },
  win: { target: ['nsis'] },
};

export default config;
