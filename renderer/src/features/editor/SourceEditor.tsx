import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import { monaco } from './monacoSetup';
import { registerSourceLanguages } from './sourceLanguages';
import { useActions, useStudio } from '../../stores/context';

type Ed = Parameters<OnMount>[0];

const languageOf = (file: string) => (/\.(c|h)$/.test(file) ? 'c' : /\.(S|s)$/.test(file) ? 'mips' : /CMakeLists\.txt$|\.cmake$/.test(file) ? 'cmake' : /Makefile$|\.mk$/.test(file) ? 'makefile' : /\.(dts|dtsi)$/.test(file) ? 'dts' : 'plaintext');

/** A project source file (PD program, CMakeLists.txt, Makefile) in Monaco: C/CMake colouring, Ctrl+S saves it. */
export default function SourceEditor() {
  const source = useStudio((s) => s.source);
  const theme = useStudio((s) => s.theme);
  const actions = useActions();
  const ref = useRef<Ed | null>(null);
  const [mounted, setMounted] = useState(false);
  // Go to the problem's line whenever one is opened (seq changes even for the same file).
  useEffect(() => {
    const ed = ref.current;
    if (!ed || !source?.line) return;
    ed.revealLineInCenter(source.line);
    ed.setPosition({ lineNumber: source.line, column: 1 });
    ed.setSelection({ startLineNumber: source.line, startColumn: 1, endLineNumber: source.line, endColumn: 10_000 });
    ed.focus();
  }, [source?.seq, source?.line, mounted]);
  if (!source) return null;
  const dirty = source.text !== source.saved;
  return (
    <section className="source-editor" data-testid="source-editor">
      <header>
        <span data-testid="source-path">
          {source.path}
          {dirty ? ' ●' : ''}
        </span>
        <span className="grow" />
        <button data-testid="source-save" disabled={!dirty} onClick={() => void actions.saveSource()} title="Save this file (Ctrl+S)">
          Save
        </button>
      </header>
      <div className="source-body">
        <Editor
          path={source.path}
          value={source.text}
          language={languageOf(source.path)}
          theme={theme === 'dark' ? 'vs-dark' : 'vs'}
          beforeMount={() => registerSourceLanguages()}
          onMount={(ed) => {
            ref.current = ed;
            ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void actions.saveSource());
            setMounted(true);
          }}
          onChange={(t) => t !== undefined && actions.editSource(t)}
          options={{ editContext: false, minimap: { enabled: false }, fontSize: 12, automaticLayout: true, scrollBeyondLastLine: false, tabSize: 4 }}
        />
      </div>
    </section>
  );
}
