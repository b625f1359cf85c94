declare module 'monaco-editor/esm/vs/editor/edcore.main.js' {
  export * from 'monaco-editor';
}
declare module 'monaco-editor/esm/vs/basic-languages/xml/xml.contribution.js';
declare module '*?worker' {
  const WorkerCtor: new () => Worker;
  export default WorkerCtor;
}
declare module 'monaco-editor/esm/vs/basic-languages/xml/xml.js' {
  import type { languages } from 'monaco-editor';
  export const conf: languages.LanguageConfiguration;
  export const language: languages.IMonarchLanguage;
}
declare module 'monaco-editor/esm/vs/basic-languages/cpp/cpp.contribution.js';
declare module 'monaco-editor/esm/vs/basic-languages/mips/mips.contribution.js';
declare module '*?url' {
  const url: string;
  export default url;
}
/** A file's text (Vite `?raw`): the renderer's tests read templates this way, never through Node's fs. */
declare module '*?raw' {
  const text: string;
  export default text;
}
