import { useState } from 'react';
import type { PassthroughPreview } from '../../../../shared/passthrough';
import type { Hunk } from '../../../../shared/sdf/editHunks';
import { useActions, useStudio } from '../../stores/context';
import type { WizardSession } from '../../stores/studioStore';
import { docFile } from '../../stores/documentSlice';

const KVM = new Set(['host-overlay.dts', 'qemu-args.txt']);

/** Step 5: the exact change to the open .system (as it will be written), the files beside it, and the checks. */
export function PreviewStep({ w, preview }: { w: WizardSession; preview: PassthroughPreview | undefined }) {
  const actions = useActions();
  const file = useStudio((s) => docFile(s));
  const [tab, setTab] = useState('system');
  if (!preview) return <p className="muted">Preparing the preview…</p>;
  const names = Object.keys(preview.files);
  const shown = tab === 'system' || names.includes(tab) ? tab : 'system';
  const added = preview.hunks.flatMap((h) => h.lines).filter((l) => l.kind === '+').length;
  const removed = preview.hunks.flatMap((h) => h.lines).filter((l) => l.kind === '-').length;
  return (
    <div className="wz-preview">
      <Checks preview={preview} file={file} />
      <div className="row wz-preview-tabs" role="tablist">
        <button role="tab" className={shown === 'system' ? 'active' : ''} data-testid="wz-tab-system" onClick={() => setTab('system')}>
          {file.split('/').pop()} <span className="muted">+{added} −{removed}</span>
        </button>
        {names.map((n) => (
          <button key={n} role="tab" className={shown === n ? 'active' : ''} data-testid={`wz-tab-${n}`} onClick={() => setTab(n)}>
            {n}
            {KVM.has(n) ? <span className="chip wz-chip-kvm">KVM/Ghaf</span> : null}
          </button>
        ))}
        <span className="grow" />
        <label className="wz-check" title="A host overlay that rebinds the devices to nvidia,dummy and QEMU vfio-platform arguments: for a Linux/KVM host such as Ghaf, not used by Microkit">
          <input type="checkbox" data-testid="wz-kvm" checked={w.kvmExtras} onChange={(e) => actions.setWizardKvmExtras(e.target.checked)} /> KVM/Ghaf files too
        </label>
      </div>
      <div className="wz-preview-body" data-testid="wz-preview-body">
        {shown === 'system' ? (
          preview.hunks.length ? (
            <Diff hunks={preview.hunks} />
          ) : (
            <p className="muted">{preview.unchanged ? `${file} already has everything this passthrough adds.` : preview.lossy ? 'The change cannot be made in place: the file would be written in canonical form.' : 'No change.'}</p>
          )
        ) : (
          <>
            {KVM.has(shown) && <p className="wz-msg wz-warning">A KVM/Ghaf idiom, written only because you asked: Microkit does not use it.</p>}
            <pre className="wz-file" data-testid={`wz-file-${shown}`}>
              {preview.files[shown as keyof typeof preview.files]}
            </pre>
          </>
        )}
      </div>
    </div>
  );
}

function Checks({ preview, file }: { preview: PassthroughPreview; file: string }) {
  const ok = (good: boolean) => <span className={good ? 'ok' : 'bad'}>{good ? '✓' : '✗'}</span>;
  const g = preview.guest;
  return (
    <div className="wz-checks" data-testid="wz-checks">
      <span data-testid="wz-check-errors">
        {ok(!preview.errors.length)} {preview.errors.length} validator error{preview.errors.length === 1 ? '' : 's'} in {file} after it
      </span>
      <span data-testid="wz-check-guest">{g.ok ? <>{ok(true)} guest.dts compiles ({g.dtbBytes} bytes of DTB)</> : <>{ok(false)} guest.dts:{g.line}:{g.column}: {g.message}</>}</span>
      <span data-testid="wz-check-lossless">
        {ok(!preview.lossy)} {preview.lossy ? 'rewritten in canonical form' : 'only the bytes the additions need'}
      </span>
      {/* The guest's BPMP node: complete (what the VMM's proxy must provide) or impossible (clocks and resets removed). */}
      {preview.plan.messages
        .filter((m) => m.code === 'bpmp-proxy' || m.code === 'bpmp-incomplete')
        .map((m, i) => (
          <div key={`bpmp${i}`} className="wz-msg wz-warning" data-testid="wz-bpmp">
            {m.message}
          </div>
        ))}
      {preview.blockers.map((b, i) => (
        <div key={i} className="wz-msg wz-error" data-testid="wz-blocker">
          {b}
        </div>
      ))}
    </div>
  );
}

/** A unified diff with both line numbers. */
export function Diff({ hunks }: { hunks: Hunk[] }) {
  return (
    <div className="wz-diff" data-testid="wz-diff">
      {hunks.map((h, i) => (
        <div key={i} className="wz-hunk">
          <div className="wz-hunk-head mono">
            @@ −{h.oldStart} +{h.newStart} @@
          </div>
          {h.lines.map((l, k) => (
            <div key={k} className={`wz-line wz-line-${l.kind === '+' ? 'add' : l.kind === '-' ? 'del' : 'ctx'}`}>
              <span className="wz-ln">{l.oldLine ?? ''}</span>
              <span className="wz-ln">{l.newLine ?? ''}</span>
              <span className="wz-mark">{l.kind}</span>
              <span className="wz-text">{l.text}</span>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
