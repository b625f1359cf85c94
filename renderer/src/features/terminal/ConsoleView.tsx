import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { DEFAULT_FEED, TerminalFeed } from '../../../../shared/terminal/feed';
import { ConsoleRenderer, localEcho, pasteNeedsConfirmation, type PasteCheck } from '../../../../shared/terminal/render';
import { useActions, useStudio } from '../../stores/context';
import { defaultConsoleView, SCROLLBACK_CHOICES } from '../../stores/studioStore';

/** A pointer button is down somewhere on the page (a node dragged, a selection drawn): the terminal yields frames. */
let pointerHeld = false;
if (typeof window !== 'undefined') {
  window.addEventListener('pointerdown', () => (pointerHeld = true), { capture: true, passive: true });
  for (const t of ['pointerup', 'pointercancel', 'blur']) window.addEventListener(t, () => (pointerHeld = false), { capture: true, passive: true });
}

/**
 * A console: every byte of a QEMU or serial stream, keystrokes sent back through `onInput`. The toolbar searches,
 * copies, clears, and switches time stamps, hex dump and local echo; large pastes wait for a confirmation.
 */
export default function ConsoleView({ id, onInput, canEcho = false }: { id: string; onInput: (data: string) => void; canEcho?: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | undefined>(undefined);
  const searchRef = useRef<SearchAddon | undefined>(undefined);
  const actions = useActions();
  const theme = useStudio((s) => s.theme);
  const big = useStudio((s) => s.presentation);
  const view = useStudio((s) => s.consoleViews[id] ?? defaultConsoleView);
  const scrollback = useStudio((s) => s.scrollback);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ index: number; count: number } | undefined>();
  const [paste, setPaste] = useState<{ data: string; check: PasteCheck } | undefined>();
  const viewRef = useRef(view);
  viewRef.current = view;

  useEffect(() => {
    const dark = theme === 'dark';
    const term = new Terminal({
      scrollback,
      convertEol: false,
      allowProposedApi: true,
      fontSize: big ? 20 : 13,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      theme: dark ? { background: '#101318', foreground: '#dfe3ea' } : { background: '#ffffff', foreground: '#1d2330', cursor: '#1d2330', selectionBackground: '#b3d4ff' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.open(el.current!);
    fit.fit();
    termRef.current = term;
    searchRef.current = search;
    const results = search.onDidChangeResults((r) => setFound({ index: r.resultIndex, count: r.resultCount }));
    // The whole history through a fresh renderer: flipping a view option re-draws what was received so far.
    const renderer = new ConsoleRenderer({ timestamps: view.timestamps, hex: view.hex }, new TextDecoder());
    // The terminal is fed one piece per animation frame, the next only once it has parsed the last
    // (shared/terminal/feed.ts): a fast console delivers megabytes a second, more than the terminal can parse and draw
    // in a frame's time, so the rest waits for the next frames; what waited over half a second is skipped behind a
    // marker line, so the terminal shows what the board prints now (the console store keeps every byte). A hidden
    // page, which gets no frames, keeps a backlog bounded by the terminal's scroll-back.
    const feed = new TerminalFeed(
      {
        write: (text, parsed) => term.write(text, parsed),
        frame: (cb) => {
          const f = requestAnimationFrame(cb);
          return () => cancelAnimationFrame(f);
        },
        interacting: () => pointerHeld,
        now: () => performance.now(),
        visible: () => document.visibilityState !== 'hidden',
      },
      { ...DEFAULT_FEED, keepLines: () => scrollback + term.rows },
    );
    const off = actions.attachConsole(id, (chunk) => feed.push(renderer.feed(chunk)));
    const input = term.onData((d) => {
      const check = pasteNeedsConfirmation(d);
      if (check) return setPaste({ data: d, check });
      if (viewRef.current.echo && !viewRef.current.hex) {
        feed.flush();
        term.write(localEcho(d));
      }
      onInput(d);
    });
    // Ctrl+Shift+C copies and Ctrl+Shift+F searches, as in other terminals; Ctrl+C still reaches the board.
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === 'KeyC') {
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => undefined);
        return false;
      }
      if (e.code === 'KeyF') {
        el.current?.parentElement?.querySelector<HTMLInputElement>('[data-testid="console-search"]')?.focus();
        return false;
      }
      return true;
    });
    const ro = new ResizeObserver(() => fit.fit());
    ro.observe(el.current!);
    return () => {
      off();
      feed.dispose();
      input.dispose();
      results.dispose();
      ro.disconnect();
      term.dispose();
      termRef.current = undefined;
    };
  }, [id, actions, theme, onInput, big, view.timestamps, view.hex, scrollback]);

  const find = (backwards = false) => {
    const s = searchRef.current;
    if (!s || !query) return;
    const opts = { decorations: { matchBackground: '#6b5a00', matchOverviewRuler: '#e0b000', activeMatchBackground: '#c28a00', activeMatchColorOverviewRuler: '#ffcc00' } };
    const hit = backwards ? s.findPrevious(query, opts) : s.findNext(query, opts);
    if (!hit) setFound({ index: -1, count: 0 });
  };
  const copy = async () => {
    const t = termRef.current;
    if (!t) return;
    // The selection, or (nothing selected) everything received as text.
    const text = t.getSelection() || actions.consoleText(id);
    await navigator.clipboard?.writeText(text).catch(() => undefined);
  };
  const testid = id.startsWith('serial-') ? 'serial-terminal' : 'qemu-terminal';
  return (
    <div className="xterm-frame">
      <div className="row console-tools" data-testid="console-tools">
        <input
          type="search"
          data-testid="console-search"
          placeholder="Search"
          aria-label="Search the console"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setFound(undefined);
            if (!e.target.value) searchRef.current?.clearDecorations();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') find(e.shiftKey);
            if (e.key === 'Escape') {
              setQuery('');
              setFound(undefined);
              searchRef.current?.clearDecorations();
              termRef.current?.focus();
            }
          }}
        />
        <button title="Previous match (Shift+Enter)" onClick={() => find(true)} disabled={!query}>↑</button>
        <button title="Next match (Enter)" onClick={() => find()} disabled={!query}>↓</button>
        <span className="search-count" data-testid="console-search-count">
          {found ? (found.count === 0 ? 'no match' : `${found.index + 1} of ${found.count}`) : ''}
        </span>
        <span className="spacer" />
        <button data-testid="console-copy" title="Copy the selection, or everything (Ctrl+Shift+C)" onClick={() => void copy()}>Copy</button>
        <button
          data-testid="console-clear"
          title="Clear the screen (the log file and the report keep every byte)"
          onClick={() => {
            actions.clearConsole(id);
            termRef.current?.reset();
          }}
        >
          Clear
        </button>
        <label className="check" title="Time of each line's first byte, from the console's first byte">
          <input type="checkbox" data-testid="console-timestamps" checked={view.timestamps} disabled={view.hex} onChange={(e) => actions.setConsoleView(id, { timestamps: e.target.checked })} /> Time
        </label>
        <label className="check" title="Every received byte in hex, 16 a row">
          <input type="checkbox" data-testid="console-hex" checked={view.hex} onChange={(e) => actions.setConsoleView(id, { hex: e.target.checked })} /> Hex
        </label>
        {canEcho && (
          <label className="check" title="Show what you type (for boards that do not echo)">
            <input type="checkbox" data-testid="console-echo" checked={view.echo} onChange={(e) => actions.setConsoleView(id, { echo: e.target.checked })} /> Echo
          </label>
        )}
        <select data-testid="console-scrollback" aria-label="Scroll-back lines" title="Scroll-back lines" value={scrollback} onChange={(e) => actions.setScrollback(Number(e.target.value))}>
          {SCROLLBACK_CHOICES.map((n) => (
            <option key={n} value={n}>
              {n.toLocaleString('en')} lines
            </option>
          ))}
        </select>
      </div>
      {paste && (
        <div className="row paste-guard" role="alertdialog" data-testid="paste-guard">
          <span>
            Paste {paste.check.lines} line{paste.check.lines === 1 ? '' : 's'} ({paste.check.bytes.toLocaleString('en')} bytes) to the console?
          </span>
          <button
            data-testid="paste-send"
            onClick={() => {
              onInput(paste.data);
              setPaste(undefined);
              termRef.current?.focus();
            }}
          >
            Send
          </button>
          <button data-testid="paste-cancel" onClick={() => (setPaste(undefined), termRef.current?.focus())}>Cancel</button>
        </div>
      )}
      <div className="xterm-host" data-testid={testid} ref={el} />
    </div>
  );
}
