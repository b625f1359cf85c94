// The SDF language mode: XML colouring, plus completion and hover from the Microkit schema (shared/sdf/complete.ts).
import { conf, language } from 'monaco-editor/esm/vs/basic-languages/xml/xml.js';
import { sdfCompletions, sdfHover } from '../../../../shared/sdf/complete';
import { monaco } from './monacoSetup';

export const SDF_LANGUAGE = 'sdf';
let registered = false;

export function registerSdfLanguage() {
  if (registered) return;
  registered = true;
  monaco.languages.register({ id: SDF_LANGUAGE, extensions: ['.system'], aliases: ['Microkit system description'] });
  monaco.languages.setMonarchTokensProvider(SDF_LANGUAGE, language);
  monaco.languages.setLanguageConfiguration(SDF_LANGUAGE, conf);
  const kinds = {
    element: monaco.languages.CompletionItemKind.Class,
    attribute: monaco.languages.CompletionItemKind.Property,
    value: monaco.languages.CompletionItemKind.EnumMember,
    reference: monaco.languages.CompletionItemKind.Reference,
  };
  monaco.languages.registerCompletionItemProvider(SDF_LANGUAGE, {
    triggerCharacters: ['<', ' ', '"', "'"],
    provideCompletionItems(model, position) {
      const text = model.getValue();
      const offset = model.getOffsetAt(position);
      const word = model.getWordUntilPosition(position);
      const items = sdfCompletions(text, offset);
      // The prefix the items replace: the identifier characters before the cursor (names may hold '-' and '.').
      let start = offset;
      while (start > 0 && /[\w.-]/.test(text[start - 1]!)) start--;
      const from = model.getPositionAt(start);
      const range = new monaco.Range(position.lineNumber, from.column, position.lineNumber, Math.max(position.column, word.endColumn));
      return {
        suggestions: items.map((c, i) => ({
          label: c.label,
          kind: kinds[c.kind],
          // An attribute goes in with both quotes, the cursor between them.
          insertText: c.kind === 'attribute' ? `${c.insert}$0"` : c.insert,
          insertTextRules: c.kind === 'attribute' ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
          detail: c.kind === 'reference' ? c.detail : undefined,
          documentation: c.kind === 'reference' ? undefined : c.detail,
          range,
          sortText: String(i).padStart(3, '0'),
          // After an attribute name and its quote, offer its values straight away.
          ...(c.kind === 'attribute' ? { command: { id: 'editor.action.triggerSuggest', title: 'values' } } : {}),
        })),
      };
    },
  });
  monaco.languages.registerHoverProvider(SDF_LANGUAGE, {
    provideHover(model, position) {
      const h = sdfHover(model.getValue(), model.getOffsetAt(position));
      if (!h) return null;
      const a = model.getPositionAt(h.start);
      const b = model.getPositionAt(h.end);
      return { range: new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column), contents: [{ value: `**${h.title}**` }, { value: h.doc }] };
    },
  });
}
