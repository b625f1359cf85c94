import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { useActions, useStudio } from '../../stores/context';

/** A console: every byte of a QEMU or serial stream, keystrokes sent back through `onInput`. */
export default function XtermView({ id, onInput }: { id: string; onInput: (data: string) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const actions = useActions();
  const theme = useStudio((s) => s.theme);
  const big = useStudio((s) => s.presentation);
  useEffect(() => {
    const term = new Terminal({
      scrollback: 10_000,
      convertEol: false,
      fontSize: big ? 20 : 13,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      theme: theme === 'dark' ? { background: '#101318', foreground: '#dfe3ea' } : { background: '#ffffff', foreground: '#1d2330', cursor: '#1d2330' },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current!);
    fit.fit();
    const off = actions.attachConsole(id, (d) => term.write(d));
    const input = term.onData((d) => onInput(d));
    const ro = new ResizeObserver(() => fit.fit());
    ro.observe(el.current!);
    return () => {
      off();
      input.dispose();
      ro.disconnect();
      term.dispose();
    };
  }, [id, actions, theme, onInput, big]);
  return <div className="xterm-host" data-testid={id.startsWith('serial-') ? 'serial-terminal' : 'qemu-terminal'} ref={el} />;
}
