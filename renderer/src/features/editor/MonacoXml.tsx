import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef, useState } from 'react';
import { monaco } from './monacoSetup';
import { registerSdfLanguage, SDF_LANGUAGE } from './sdfLanguage';
import type { Diagnostic } from '../../../../shared/api/diagnostics';

type Ed = Parameters<OnMount>[0];

export interface MonacoXmlProps {
  value: string;
  theme: 'light' | 'dark';
  diagnostics: Diagnostic[];
  reveal?: { line: number; column: number; seq: number };
  /** Lines of the selected node or edge, highlighted (and scrolled to) in the text. */
  highlight?: { start: number; end: number };
  onChange(text: string): void;
  /** The text is composed of several files (a preprocessed template, XIncludes): shown, never typed into. */
  readOnly?: boolean;
}

/** The .system as an editable SDF document: markers from the Microkit checks, completion and hover from the schema. */
export default function MonacoXml(props: MonacoXmlProps) {
  const editorRef = useRef<Ed | null>(null);
  // Effects that need the editor run again once it has mounted.
  const [mounted, setMounted] = useState(false);
  const decorations = useRef<ReturnType<Ed['createDecorationsCollection']> | null>(null);
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      'sel4studio',
      props.diagnostics
        .filter((d) => d.line)
        .map((d) => ({
          severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : d.severity === 'warning' ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
          message: d.message,
          startLineNumber: d.line!,
          startColumn: d.column ?? 1,
          endLineNumber: d.line!,
          endColumn: model.getLineMaxColumn(Math.min(d.line!, model.getLineCount())),
        })),
    );
  }, [props.diagnostics, props.value, mounted]);
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || !props.reveal) return;
    ed.revealLineInCenter(props.reveal.line);
    ed.setSelection({ startLineNumber: props.reveal.line, startColumn: 1, endLineNumber: props.reveal.line, endColumn: 10_000 });
  }, [props.reveal, mounted]);
  const hl = props.highlight;
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed) return;
    decorations.current ??= ed.createDecorationsCollection();
    if (!hl) return decorations.current.clear();
    decorations.current.set([{ range: new monaco.Range(hl.start, 1, hl.end, 1), options: { isWholeLine: true, className: 'xml-selected-line', linesDecorationsClassName: 'xml-selected-gutter' } }]);
    // Follow the selection unless the user is typing here.
    if (!ed.hasTextFocus()) ed.revealLinesInCenterIfOutsideViewport(hl.start, hl.end);
  }, [hl?.start, hl?.end, hl, mounted]);
  return (
    <Editor
      value={props.value}
      language={SDF_LANGUAGE}
      theme={props.theme === 'dark' ? 'vs-dark' : 'vs'}
      beforeMount={() => registerSdfLanguage()}
      onMount={(ed) => {
        editorRef.current = ed;
        setMounted(true);
      }}
      onChange={(text) => text !== undefined && props.onChange(text)}
      options={{ readOnly: Boolean(props.readOnly), editContext: false, minimap: { enabled: false }, fontSize: 12, scrollBeyondLastLine: false, automaticLayout: true, renderValidationDecorations: 'on', tabSize: 2, quickSuggestions: { other: true, strings: true }, wordBasedSuggestions: 'off' }}
    />
  );
}
