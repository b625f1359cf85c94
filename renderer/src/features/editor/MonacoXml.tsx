import Editor, { type OnMount } from '@monaco-editor/react';
import { useEffect, useRef } from 'react';
import { monaco } from './monacoSetup';
import type { Diagnostic } from '../../../../shared/api/diagnostics';

type Ed = Parameters<OnMount>[0];

export default function MonacoXml(props: { value: string; theme: 'light' | 'dark'; diagnostics: Diagnostic[]; reveal?: { line: number; column: number; seq: number } }) {
  const editorRef = useRef<Ed | null>(null);
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
  }, [props.diagnostics, props.value]);
  useEffect(() => {
    const ed = editorRef.current;
    if (!ed || !props.reveal) return;
    ed.revealLineInCenter(props.reveal.line);
    ed.setSelection({ startLineNumber: props.reveal.line, startColumn: 1, endLineNumber: props.reveal.line, endColumn: 10_000 });
  }, [props.reveal]);
  return (
    <Editor
      value={props.value}
      language="xml"
      theme={props.theme === 'dark' ? 'vs-dark' : 'vs'}
      onMount={(ed) => {
        editorRef.current = ed;
      }}
      options={{ readOnly: true, minimap: { enabled: false }, fontSize: 12, scrollBeyondLastLine: false, automaticLayout: true, renderValidationDecorations: 'on' }}
    />
  );
}
