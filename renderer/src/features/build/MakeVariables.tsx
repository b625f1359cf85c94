import { useEffect, useState } from 'react';
import type { Result } from '../../../../shared/api/contract';
import { HOST_VARIABLES } from '../../../../shared/build/makefile';
import { useActions, useStudio } from '../../stores/context';

type Info = NonNullable<Result<'build.makefile'>['makefile']>;

const KIND_LABEL: Record<string, string> = { sdk: 'SDK', board: 'board', config: 'config', path: 'path', tool: 'program', other: '' };

/** One variable's field: committed on Enter or when it loses focus; an empty field leaves the Makefile's default. */
function VariableField({ v, value, disabled, choices }: { v: Info['variables'][number]; value: string; disabled: string | undefined; choices?: string }) {
  const actions = useActions();
  const [text, setText] = useState(value);
  const commit = () => {
    if (text.trim() !== value) void actions.setMakeVariable(v.name, text).then((ok) => ok || setText(value));
  };
  return (
    <input
      data-testid={`make-var-${v.name}`}
      list={choices}
      value={disabled ? '' : text}
      disabled={Boolean(disabled)}
      placeholder={disabled ?? (v.default !== undefined ? v.default : 'required')}
      title={disabled ?? (v.required ? `The Makefile stops without it${v.message ? `: "${v.message}"` : ''}` : `Default: ${v.default ?? '(none)'}`)}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
    />
  );
}

/**
 * A repository's own build (its Makefile makes the image): the variables it takes, each with its default and place,
 * editable where seL4 Studio may pass them; MICROKIT_SDK/BOARD/CONFIG come from the menus above; the Run step.
 */
export function MakeVariables({ info }: { info: Info }) {
  const actions = useActions();
  const stored = useStudio((s) => s.folderSettings?.build.variables) ?? {};
  const runTarget = useStudio((s) => s.folderSettings?.build.runTarget) ?? '';
  const image = useStudio((s) => s.qemuTarget.file);
  const bootTargets = info.targets.filter((t) => ['qemu', 'run', 'simulate'].includes(t.name));
  // A path variable (LINUX, INITRD, …) is offered the images the user picked: a kernel and initrd from
  // `sel4-studio guest-kernel` (Debian's arm64 kernel + busybox) are on that list.
  const picked = useStudio((s) => s.pickedImages);
  const hasPaths = info.variables.some((v) => v.kind === 'path');
  useEffect(() => {
    if (hasPaths) void actions.listImages();
  }, [hasPaths, actions]);
  return (
    <div className="build-make" data-testid="build-make">
      <div className="build-make-head">
        <strong>Makefile</strong>{' '}
        <span className="muted">
          {info.files.join(', ')}: make builds the image ({info.defaultBuildDir ? `in ${stored.BUILD_DIR ?? info.defaultBuildDir}` : 'where its BUILD_DIR says'}); Run image <code data-testid="build-make-image">{image}</code>
        </span>
        <label>
          Run step{' '}
          <select data-testid="build-run-step" value={runTarget} onChange={(e) => void actions.setRunTarget(e.target.value)} title="Build & Run: boot the image in QEMU from the board recipe, or run a target of the Makefile (its output in Output)">
            <option value="">QEMU (board recipe)</option>
            {bootTargets.map((t) => (
              <option key={t.name} value={t.name}>
                make {t.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <datalist id="make-var-images" data-testid="make-var-images">
        {picked.map((i) => (
          <option key={i.path} value={i.path} />
        ))}
      </datalist>
      <div className="build-make-vars">
          {info.variables.map((v) => {
            const host = HOST_VARIABLES[v.name];
            const disabled = host ? `from the ${host === 'sdk' ? 'SDK setting' : `${host} menu`}` : v.kind === 'tool' ? 'run as a program or passed as flags: edit the Makefile' : undefined;
            return (
              <div key={v.name} className="build-make-var" title={`${KIND_LABEL[v.kind] || 'value'}${v.conditional ? ', set in a conditional branch' : ''}`}>
                <code>
                  {v.name}
                  {v.required && <span className="build-sdk-bad" title="required"> *</span>}
                </code>
                <VariableField key={stored[v.name] ?? ''} v={v} value={stored[v.name] ?? ''} disabled={disabled} {...(v.kind === 'path' && !/_DIR$/.test(v.name) && picked.length ? { choices: 'make-var-images' } : {})} />
                <button className="link muted" onClick={() => void actions.openSource(v.file, v.line)} title="Open where the Makefile sets or requires it">
                  {v.file}:{v.line}
                </button>
              </div>
            );
          })}
      </div>
      {info.problems.length > 0 && (
        <ul className="build-make-problems" data-testid="build-make-problems">
          {info.problems.map((p, i) => (
            <li key={i}>
              <button className="link" onClick={() => p.file && void actions.openSource(p.file, p.line)}>
                {p.file}:{p.line}:{p.column}
              </button>{' '}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
