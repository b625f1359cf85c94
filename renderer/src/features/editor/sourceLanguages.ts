// Languages of PD project files: C and assembly from Monaco's own grammars, and small grammars for CMake, Makefiles
// and device-tree sources (Monaco has none). Loaded with the source editor only.
import 'monaco-editor/esm/vs/basic-languages/cpp/cpp.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/mips/mips.contribution.js';
import { monaco } from './monacoSetup';

let done = false;

export function registerSourceLanguages() {
  if (done) return;
  done = true;
  const lang = monaco.languages;
  lang.register({ id: 'cmake', filenames: ['CMakeLists.txt'], extensions: ['.cmake'] });
  lang.setMonarchTokensProvider('cmake', {
    ignoreCase: true,
    tokenizer: {
      root: [
        [/#.*$/, 'comment'],
        [/\b(if|elseif|else|endif|foreach|endforeach|while|endwhile|function|endfunction|macro|endmacro)\b/, 'keyword'],
        [/\b[A-Za-z_]\w*(?=\s*\()/, 'type.identifier'],
        [/\$\{[^}]*\}/, 'variable'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/\b[A-Z_][A-Z0-9_]+\b/, 'constant'],
      ],
    },
  });
  lang.setLanguageConfiguration('cmake', { comments: { lineComment: '#' }, brackets: [['(', ')']], autoClosingPairs: [{ open: '(', close: ')' }, { open: '"', close: '"' }] });
  lang.register({ id: 'makefile', filenames: ['Makefile', 'makefile', 'GNUmakefile'], extensions: ['.mk'] });
  lang.setMonarchTokensProvider('makefile', {
    tokenizer: {
      root: [
        [/#.*$/, 'comment'],
        [/^[^\s:=#]+(?=\s*:(?!=))/, 'type.identifier'],
        [/\$[({][^)}]*[)}]|\$[@<^*?]/, 'variable'],
        [/^\s*(ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|export|override)\b/, 'keyword'],
        [/[:?+]?=/, 'operator'],
      ],
    },
  });
  lang.setLanguageConfiguration('makefile', { comments: { lineComment: '#' } });
  lang.register({ id: 'dts', extensions: ['.dts', '.dtsi', '.dtso'] });
  lang.setMonarchTokensProvider('dts', {
    tokenizer: {
      root: [
        [/\/\/.*$/, 'comment'],
        [/\/\*/, 'comment', '@comment'],
        [/^\s*#\s*\w+/, 'keyword'],
        [/\/(dts-v1|plugin|delete-node|delete-property|include)\//, 'keyword'],
        [/&\w+|\b\w+:/, 'type.identifier'],
        [/"([^"\\]|\\.)*"/, 'string'],
        [/0x[0-9a-fA-F]+|\b\d+\b/, 'number'],
      ],
      comment: [
        [/\*\//, 'comment', '@pop'],
        [/./, 'comment'],
      ],
    },
  });
}
