import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDispatcher } from '../../shared/api/rpc';
import { createStudioHost } from '../services/studioHost';
import { defaultBoardsDir } from '../services/boards';
import { isInside } from '../services/confine';
import { configDir, onStarterGone, parseStartArgs, STUDIO_VERSION } from '../services/startArgs';
import { isAllowedExternalUrl } from '../services/externalLinks';
import { TRUST_FILE } from '../services/trust';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../preload/channels';
import { createCrashReporter, installCrashHandlers } from '../services/crashReport';

/**
 * The Electron shell, kept thin: a sandboxed window on `app://studio/`, the contract bound to IPC through the same
 * dispatcher the browser host uses, and native dialogs. The only file that imports 'electron' besides the preload.
 */
protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// First: whatever fails later is reported to $XDG_STATE_HOME/sel4-studio/logs (crashReport.ts). An uncaught exception
// ends the app once reported (every process it started goes with it); an unhandled rejection is reported only.
const reporter = createCrashReporter({ host: 'electron', version: STUDIO_VERSION });
installCrashHandlers(reporter, (code) => {
  try {
    studio.dispose();
  } catch {
    // It failed before the host existed: nothing started yet.
  }
  app.exit(code);
});

const rendererDir = path.resolve(__dirname, '../renderer');
const args = parseStartArgs(process.argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('--inspect') && a !== '.'));
let mainWindow: BrowserWindow | undefined;

const studio = createStudioHost({
  mode: 'electron',
  version: STUDIO_VERSION,
  configDir: process.env.SEL4_STUDIO_CONFIG_DIR ?? path.join(app.getPath('userData'), 'config'),
  initialProject: args.project,
  boardsDir: app.isPackaged ? path.join(process.resourcesPath, 'boards') : defaultBoardsDir(__dirname),
  emit: (event, payload) => mainWindow?.webContents.send(EVENT_CHANNEL, event, payload),
  pickDirectory: async (title, mode) => {
    const r = await dialog.showOpenDialog(mainWindow!, { title, properties: mode === 'create' ? ['openDirectory', 'createDirectory'] : ['openDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  pickFile: async (title) => {
    const r = await dialog.showOpenDialog(mainWindow!, { title, properties: ['openFile'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
  // The main process asks, in a native dialog the page cannot answer: the page's scripts only learn yes or no.
  confirm: async ({ title, message, detail, yes }) => {
    const r = await dialog.showMessageBox(mainWindow!, { type: 'warning', title, message, detail, buttons: ['Cancel', yes], defaultId: 0, cancelId: 0, noLink: true });
    return r.response === 1;
  },
  // Folders are opened, created and saved into only where the user chose in this dialog (or the recent list).
  pickedFoldersOnly: true,
  // The same trust file as `sel4-studio trust` and the browser host.
  trustFile: path.join(configDir(), TRUST_FILE),
  // Trust is the user's answer to a native dialog: the page can ask, never answer.
  confirmTrust: async (dir) => {
    const r = await dialog.showMessageBox(mainWindow!, {
      type: 'warning',
      title: 'Trust this folder?',
      message: `Do you trust the authors of the files in\n${dir}?`,
      detail:
        'Trusting it lets seL4 Studio build it — run its Makefile or CMakeLists.txt, the compiler and the Microkit SDK its settings name — and boot its images in QEMU. In restricted mode you can still view, edit, validate and draw it. You can stop trusting it from the command palette or with sel4-studio trust --untrust.',
      buttons: ['Trust', 'Stay in restricted mode'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    });
    return r.response === 0;
  },
});
const dispatch = createDispatcher(studio.handlers);

/** IPC is answered only for our own window showing our own page. */
function trusted(sender: WebContents, frameUrl: string | undefined): boolean {
  return sender === mainWindow?.webContents && typeof frameUrl === 'string' && frameUrl.startsWith('app://studio/');
}

function createWindow() {
  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    title: 'seL4 Studio',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.webContents.setWindowOpenHandler(({ url }) => {
    // Only the documentation and project pages the UI links to go to the system browser (electron/services/externalLinks.ts).
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  mainWindow.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith('app://studio/')) e.preventDefault();
  });
  void mainWindow.loadURL('app://studio/index.html');
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

app.whenReady().then(() => {
  const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
  protocol.handle('app', (req) => {
    const url = new URL(req.url);
    const file = path.resolve(rendererDir, `.${decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)}`);
    if (url.host !== 'studio' || !isInside(rendererDir, file)) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).toString()).then((res) => {
      const headers = new Headers(res.headers);
      headers.set('Content-Security-Policy', csp);
      return new Response(res.body, { status: res.status, headers });
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  ipcMain.handle(CALL_CHANNEL, async (e, method: unknown, params: unknown) => {
    if (!trusted(e.sender, e.senderFrame?.url)) return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    reporter.noteCall(method);
    return dispatch(method, params);
  });
  Menu.setApplicationMenu(null);
  createWindow();
});

app.on('window-all-closed', () => {
  studio.dispose();
  app.quit();
});
app.on('before-quit', () => studio.dispose());
// Under `npm start`: the wrapper gone (even SIGKILLed) closes the app, and everything it started, at once.
onStarterGone(() => {
  studio.dispose();
  app.exit(0);
});
