// Monaco, offline and lean (DESIGN.md §5): the editor core without the language services, XML colouring, and the
// editor worker from our own bundle. This module is only ever imported lazily.
import * as monaco from 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/xml/xml.contribution.js';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import { loader } from '@monaco-editor/react';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco });

export { monaco };

// An editor closed while one of its delayed operations is pending (a view switched away from the source editor as it
// computes) rejects that operation with Monaco's cancellation error, named 'Canceled'. It is Monaco's way of saying
// "no longer needed", not a fault: it must not surface as an unhandled rejection. Anything else still does.
window.addEventListener('unhandledrejection', (e) => {
  const r = e.reason as { name?: unknown; message?: unknown } | undefined;
  if (r && r.name === 'Canceled' && r.message === 'Canceled') e.preventDefault();
});
