import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './shell/App';
import { prefetchGraph } from './shell/lazyViews';
import { afterStartup } from './afterStartup';
import { StoreContext } from './stores/context';
import { createStudioStore } from './stores/studioStore';
import { connect } from './transport';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

connect()
  .then(({ client, onStatus }) => {
    const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? true;
    const saved = localStorage.getItem('sel4studio.theme');
    const store = createStudioStore(client, saved === 'light' || saved === 'dark' ? saved : prefersDark ? 'dark' : 'light');
    const scrollback = Number(localStorage.getItem('sel4studio.scrollback'));
    if (scrollback) store.actions.setScrollback(scrollback);
    store.subscribe((s, prev) => {
      if (s.theme !== prev.theme) localStorage.setItem('sel4studio.theme', s.theme);
      if (s.scrollback !== prev.scrollback) localStorage.setItem('sel4studio.scrollback', String(s.scrollback));
    });
    // The host went away or came back (browser mode): the bar shows it; on return the tab hands its edits over.
    onStatus((link) => store.actions.linkChanged(link));
    // Autosave: a recovery file a moment after the last edit, never the project files themselves.
    let timer: ReturnType<typeof setTimeout> | undefined;
    store.subscribe((s, prev) => {
      if (s.doc === prev.doc) return;
      clearTimeout(timer);
      timer = setTimeout(() => void store.actions.autosave(), 1500);
    });
    window.addEventListener('beforeunload', (e) => {
      const s = store.getState();
      if (s.project && s.doc !== s.savedDoc) e.preventDefault();
    });
    root.render(
      <StrictMode>
        <StoreContext.Provider value={store}>
          <App />
        </StoreContext.Provider>
      </StrictMode>,
    );
    void store.actions.init();
    // The graph is what opening a project shows: its chunks are fetched ahead, once the first screen has settled.
    afterStartup(prefetchGraph);
  })
  .catch((err: unknown) => {
    root.render(
      <div className="fatal" role="alert">
        <h1>seL4 Studio cannot reach its host</h1>
        <p>{err instanceof Error ? err.message : String(err)}</p>
        <p>
          Start it with <code>npm start</code> and open the launch page it names (<code>file://…/sel4-studio/launch-PORT.html</code>): it carries
          the key, which this tab then keeps.
        </p>
      </div>,
    );
  });
