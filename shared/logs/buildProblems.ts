import type { Diagnostic } from '../api/diagnostics';
import { LineSplitter } from './lines';

/**
 * Problems in build output, as they stream: gcc and clang (`file:line:col: error|warning|note:`, with the
 * "In file included from" chain and notes attached to the diagnostic they explain), GNU ld (undefined references
 * and missing libraries, placed at the source line when the object has debug info), CMake (`CMake Error at
 * file:line (command):` and its indented message), make (`make: *** [file:line: target] Error N`, `No rule to make
 * target`), and the Microkit tool (`Error: … file:row:col`, pointing into the .system). Places are as the tool
 * printed them, relative to the directory it ran in (make's "Entering directory" is followed); the caller resolves
 * them against the project.
 */
export type BuildTool = 'gcc' | 'ld' | 'cmake' | 'make' | 'microkit';

export interface BuildProblem extends Diagnostic {
  tool: BuildTool;
  /** The directory the tool ran in, when make said so (relative places are relative to it). */
  dir?: string;
  /** Where the file was included from, as gcc prints it: the file including it first, the compiled source last. */
  includedFrom?: { file: string; line: number }[];
  /** gcc's notes that follow the diagnostic. */
  notes?: Diagnostic[];
}

// eslint-disable-next-line no-control-regex -- the colour codes compilers emit are control characters
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const GCC = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$/;
const INCLUDED = /^(?:In file included|\s+) from (.+?):(\d+)(?::\d+)?[,:]$/;
const LD_TOOL = /^(?:\S*\/)?(?:[\w.-]+-)?(?:ld|ld\.bfd|ld\.gold|ld\.lld|collect2)(?:\.exe)?: /;
const LD_REF = /^(.+?):(?:(\d+)|\(([^)]*)\)): (undefined reference to .*|multiple definition of .*|relocation truncated to fit.*)$/;
const CMAKE = /^CMake (Error|Warning|Deprecation Warning)(?: \(dev\))? at (.+?):(\d+) \((.+?)\):\s*$/;
const CMAKE_PLAIN = /^CMake (Error|Warning): (.*)$/;
const MAKE_FAIL = /^(?:g?make)(?:\[\d+\])?: \*\*\* \[(.+?):(\d+): (.+?)\] Error (\d+)$/;
const MAKE_MSG = /^(?:g?make)(?:\[\d+\])?: \*\*\* (.*?)\.?\s*(?:Stop\.)?$/;
/** make's own error at a Makefile's line: `Makefile:4: *** missing separator.  Stop.`, `$(error …)` text. */
const MAKE_PLACED = /^(?!g?make(?:\[\d+\])?:)(\S[^:]*):(\d+): \*\*\* (.*?)\.?\s*(?:Stop\.)?$/;
const MAKE_DIR = /^(?:g?make)(?:\[\d+\])?: (Entering|Leaving) directory '(.+)'$/;
const MICROKIT_PLACED = /^Error: (.*?)(?::| @) ([^\s:]+\.system):(\d+):(\d+)$/;
const MICROKIT = /^Error: (.*)$/;

const severityOf = (s: string): Diagnostic['severity'] => (s === 'note' ? 'info' : s === 'warning' || s.includes('Warning') ? 'warning' : 'error');

export class BuildProblemMatcher {
  private readonly splitter = new LineSplitter('each');
  private includes: { file: string; line: number }[] = [];
  private dirs: string[] = [];
  private last?: BuildProblem;
  private cmake?: BuildProblem;
  private ldContext?: string;
  private readonly out: BuildProblem[] = [];

  /** Feed a chunk of output; returns the problems completed by it. */
  feed(chunk: string): BuildProblem[] {
    return this.feedLines(this.splitter.push(chunk));
  }

  /** Feed whole lines, split by the caller (a host that splits once for the matcher and the progress parser). */
  feedLines(lines: readonly string[]): BuildProblem[] {
    for (const l of lines) this.line(l.replace(ANSI, ''));
    return this.take();
  }

  /** The end of the output: flushes a half line and an open CMake message. */
  end(): BuildProblem[] {
    for (const l of this.splitter.end()) this.line(l.replace(ANSI, ''));
    this.closeCmake();
    return this.take();
  }

  private take(): BuildProblem[] {
    return this.out.splice(0);
  }

  private emit(p: BuildProblem) {
    const dir = this.dirs[this.dirs.length - 1];
    if (dir && !p.dir) p.dir = dir;
    this.out.push(p);
    this.last = p;
  }

  private closeCmake() {
    if (!this.cmake) return;
    this.cmake.message = this.cmake.message.trim().replace(/\s*\n\s*/g, ' ');
    this.emit(this.cmake);
    this.cmake = undefined;
  }

  private line(line: string) {
    // CMake's message: indented lines after the "CMake Error at" line, until a line that is not indented.
    if (this.cmake) {
      if (line === '' || /^\s/.test(line)) {
        this.cmake.message += `\n${line}`;
        return;
      }
      this.closeCmake();
    }
    let m: RegExpExecArray | null;
    if ((m = MAKE_DIR.exec(line))) {
      if (m[1] === 'Entering') this.dirs.push(m[2]!);
      else this.dirs.pop();
      return;
    }
    if ((m = INCLUDED.exec(line))) {
      this.includes.push({ file: m[1]!, line: Number(m[2]) });
      return;
    }
    if ((m = GCC.exec(line)) && !line.startsWith('CMake ')) {
      const d: BuildProblem = { tool: 'gcc', severity: severityOf(m[4]!), message: m[5]!, file: m[1]!, line: Number(m[2]), ...(m[3] ? { column: Number(m[3]) } : {}) };
      if (this.includes.length) d.includedFrom = this.includes;
      this.includes = [];
      // A note explains the diagnostic before it (gcc prints them right after).
      if (d.severity === 'info' && this.last?.tool === 'gcc' && this.last.severity !== 'info') {
        (this.last.notes ??= []).push({ severity: 'info', message: d.message, file: d.file, line: d.line, ...(d.column ? { column: d.column } : {}) });
        return;
      }
      this.emit(d);
      return;
    }
    if (LD_TOOL.test(line)) {
      const rest = line.replace(LD_TOOL, '');
      if (/^error: ld returned \d+ exit status$/.test(rest)) return; // collect2's summary of what ld said
      const inFn = /^(.+?): in function [`'‘](.+?)['’]:$/.exec(rest);
      if (inFn) {
        this.ldContext = inFn[2];
        return;
      }
      // `ld: cannot find -lmicrokit`, `ld: cannot open linker script file microkit.ld: No such file or directory`
      this.emit({ tool: 'ld', severity: /^warning: /.test(rest) ? 'warning' : 'error', message: rest.replace(/^(?:error|warning): /, '') });
      return;
    }
    if ((m = LD_REF.exec(line))) {
      const where = this.ldContext ? ` (in ${this.ldContext})` : '';
      this.emit({ tool: 'ld', severity: 'error', message: `${m[4]}${where}`, file: m[1]!, ...(m[2] ? { line: Number(m[2]) } : {}) });
      return;
    }
    if ((m = CMAKE.exec(line))) {
      this.cmake = { tool: 'cmake', severity: severityOf(m[1]!), message: '', file: m[2]!, line: Number(m[3]), rule: m[4]! };
      return;
    }
    if ((m = CMAKE_PLAIN.exec(line))) {
      this.emit({ tool: 'cmake', severity: severityOf(m[1]!), message: m[2]! });
      return;
    }
    if ((m = MAKE_FAIL.exec(line))) {
      this.emit({ tool: 'make', severity: 'error', message: `make: target '${m[3]}' failed (Error ${m[4]})`, file: m[1]!, line: Number(m[2]) });
      return;
    }
    if ((m = MAKE_PLACED.exec(line))) {
      this.emit({ tool: 'make', severity: 'error', message: m[3]!, file: m[1]!, line: Number(m[2]) });
      return;
    }
    if ((m = MAKE_MSG.exec(line))) {
      this.emit({ tool: 'make', severity: 'error', message: m[1]! });
      return;
    }
    if ((m = MICROKIT_PLACED.exec(line))) {
      this.emit({ tool: 'microkit', severity: 'error', message: line, file: m[2]!, line: Number(m[3]), column: Number(m[4]) });
      return;
    }
    if ((m = MICROKIT.exec(line))) {
      this.emit({ tool: 'microkit', severity: 'error', message: line });
      return;
    }
  }
}

/** All the problems in a whole output. */
export function matchBuildOutput(text: string): BuildProblem[] {
  const m = new BuildProblemMatcher();
  return [...m.feed(text), ...m.end()];
}

/** Ninja's `[3/10]` or CMake-Makefile's `[ 30%]` progress in a line: the fraction done, or undefined. */
export function buildProgress(line: string): { done: number; total: number } | undefined {
  const n = /^\[(\d+)\/(\d+)\]/.exec(line);
  if (n) return { done: Number(n[1]), total: Number(n[2]) };
  const p = /^\[\s*(\d+)%\]/.exec(line);
  if (p) return { done: Number(p[1]), total: 100 };
  return undefined;
}
