import { useState } from 'react';
import { useActions, useStudio } from '../../stores/context';

/** The cpp flags a template is read with (its Makefile's, found by the host), editable: -D NAME[=V], -U NAME, -I DIR. */
export function TemplateFlags() {
  const cpp = useStudio((s) => s.docBase?.cpp);
  const actions = useActions();
  const [draft, setDraft] = useState<string | null>(null);
  if (!cpp) return null;
  const text = [...Object.entries(cpp.defines).map(([k, v]) => (v === '1' ? `-D${k}` : `-D${k}=${v}`)), ...cpp.includeDirs.map((d) => `-I${d}`)].join(' ');
  if (draft === null) {
    return (
      <button className="link" data-testid="template-flags" title="The -D/-I the template is preprocessed with; click to change" onClick={() => setDraft(text)}>
        cpp {text || '(no flags)'}
      </button>
    );
  }
  return (
    <input
      className="template-flags"
      data-testid="template-flags-input"
      aria-label="cpp flags"
      autoFocus
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={() => setDraft(null)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          void actions.setTemplateFlags(draft);
          setDraft(null);
        } else if (e.key === 'Escape') setDraft(null);
        e.stopPropagation();
      }}
    />
  );
}
