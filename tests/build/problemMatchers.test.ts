// Golden tests of the build-output problem matchers on real tool output: Debian's aarch64-linux-gnu gcc and ld,
// CMake, GNU make, run here on small sources; and the Microkit tool's recorded output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgress, matchBuildOutput } from '../../shared/logs/buildProblems';
import { events } from '../../shared/api/contract';

const has = (t: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status === 0;
const ok = ['aarch64-linux-gnu-gcc', 'aarch64-linux-gnu-ld', 'cmake', 'make'].every(has);
if (!ok && process.env.CI === 'true') throw new Error('aarch64-linux-gnu-gcc, binutils, cmake and make are required in CI');

/** The tool's output as a terminal would show it: stdout and stderr interleaved, in the C locale. */
const run = (cwd: string, cmd: string, args: string[]) => spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', cmd, ...args], { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).stdout;
const dir = () => mkdtempSync(path.join(os.tmpdir(), 'matchers-'));
const pick = (ps: ReturnType<typeof matchBuildOutput>) => ps.map((p) => ({ tool: p.tool, severity: p.severity, file: p.file, line: p.line, column: p.column, message: p.message }));

describe.runIf(ok)('gcc, ld, cmake and make, as they really print', () => {
  it('gcc: errors and warnings at file:line:col, the include chain, notes attached to what they explain', () => {
    const d = dir();
    writeFileSync(path.join(d, 'a.h'), 'static int f(void) { return undefined_thing; }\n');
    writeFileSync(path.join(d, 'a.c'), '#include "a.h"\nint main(void) { int x = "s"; return y; }\n');
    const out = run(d, 'aarch64-linux-gnu-gcc', ['-c', '-Wall', '-fdiagnostics-color=always', 'a.c', '-o', 'a.o']);
    const ps = matchBuildOutput(out);
    expect(pick(ps).slice(0, 3)).toEqual([
      { tool: 'gcc', severity: 'error', file: 'a.h', line: 1, column: 29, message: "'undefined_thing' undeclared (first use in this function)" },
      { tool: 'gcc', severity: 'warning', file: 'a.c', line: 2, column: 26, message: "initialization of 'int' from 'char *' makes integer from pointer without a cast [-Wint-conversion]" },
      { tool: 'gcc', severity: 'error', file: 'a.c', line: 2, column: 38, message: "'y' undeclared (first use in this function)" },
    ]);
    expect(ps[0]!.includedFrom).toEqual([{ file: 'a.c', line: 1 }]);
    expect(ps[0]!.notes![0]!.message).toContain('reported only once');
    expect(ps.filter((p) => p.severity === 'info')).toEqual([]);
    // The chain and the notes travel through the contract: the build.problem event's schema keeps them (the UI
    // receives what this parse returns).
    const event = events['build.problem'].parse({ buildId: 'build-1', step: 'compile', problem: ps[0] });
    expect(event.problem.includedFrom).toEqual([{ file: 'a.c', line: 1 }]);
    expect(event.problem.notes).toEqual(ps[0]!.notes);
    expect(event.problem.notes![0]).toMatchObject({ severity: 'info', file: 'a.h', line: 1 });
  });

  it('gcc: a chain two headers deep, outermost first, each place as printed', () => {
    const d = dir();
    writeFileSync(path.join(d, 'inner.h'), 'static int g(void) { return nope; }\n');
    writeFileSync(path.join(d, 'outer.h'), '/* outer */\n#include "inner.h"\n');
    writeFileSync(path.join(d, 'm.c'), '\n\n#include "outer.h"\n');
    const ps = matchBuildOutput(run(d, 'aarch64-linux-gnu-gcc', ['-c', 'm.c', '-o', 'm.o']));
    expect(pick(ps)[0]).toMatchObject({ tool: 'gcc', severity: 'error', file: 'inner.h', line: 1 });
    expect(ps[0]!.includedFrom).toEqual([
      { file: 'outer.h', line: 2 },
      { file: 'm.c', line: 3 },
    ]);
  });

  it('ld: an undefined reference at its source line (debug info) or object; a missing library; collect2 is not a second error', () => {
    const d = dir();
    writeFileSync(path.join(d, 'b.c'), 'void missing(void);\nvoid _start(void) {\n  missing();\n}\n');
    const out = run(d, 'aarch64-linux-gnu-gcc', ['-g', '-nostdlib', 'b.c', '-o', 'b.elf']);
    expect(pick(matchBuildOutput(out))).toEqual([{ tool: 'ld', severity: 'error', file: expect.stringMatching(/b\.c$/), line: 3, column: undefined, message: "undefined reference to `missing' (in _start)" }]);
    run(d, 'aarch64-linux-gnu-gcc', ['-c', 'b.c', '-o', 'b.o']);
    const out2 = run(d, 'aarch64-linux-gnu-ld', ['b.o', '-lmicrokit', '-o', 'b2.elf']);
    expect(pick(matchBuildOutput(out2))).toEqual([{ tool: 'ld', severity: 'error', file: undefined, line: undefined, column: undefined, message: expect.stringMatching(/cannot find -lmicrokit/) }]);
  });

  it('cmake: the error at CMakeLists.txt:line with its whole message', () => {
    const d = dir();
    mkdirSync(path.join(d, 'src'));
    writeFileSync(path.join(d, 'src/CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.16)\nproject(x NONE)\nset(PD_NAME hello)\nmessage(FATAL_ERROR "no Microkit SDK: set MICROKIT_SDK\n  to the unpacked SDK")\n');
    const out = run(d, 'cmake', ['-S', 'src', '-B', 'build']);
    const ps = pick(matchBuildOutput(out));
    expect(ps).toEqual([{ tool: 'cmake', severity: 'error', file: expect.stringMatching(/CMakeLists\.txt$/), line: 4, column: undefined, message: 'no Microkit SDK: set MICROKIT_SDK to the unpacked SDK' }]);
  });

  it("make: a failed recipe at Makefile:line, a missing target, and the directory make entered", () => {
    const d = dir();
    mkdirSync(path.join(d, 'sub'));
    writeFileSync(path.join(d, 'sub/Makefile'), 'all: hello.o\n\nhello.o: hello.c\n\tfalse\n');
    writeFileSync(path.join(d, 'sub/hello.c'), '');
    const ps = matchBuildOutput(run(d, 'make', ['-C', 'sub']));
    expect(ps.map((p) => [p.tool, p.file, p.line, p.message, p.dir])).toEqual([['make', 'Makefile', 4, "make: target 'hello.o' failed (Error 1)", path.join(d, 'sub')]]);
    const ps2 = matchBuildOutput(run(d, 'make', ['-C', 'sub', 'nothere']));
    expect(ps2.map((p) => p.message)).toEqual(["No rule to make target 'nothere'"]);
  });

  it("make: its own stop at a Makefile's line (a missing separator, a required variable's $(error …)) is placed there", () => {
    const d = dir();
    writeFileSync(path.join(d, 'Makefile'), 'ifeq ($(strip $(MICROKIT_SDK)),)\n$(error MICROKIT_SDK must be specified)\nendif\n');
    writeFileSync(path.join(d, 'bad.mk'), 'all:\n\techo hi\n  echo no tab\n');
    const ps = [...matchBuildOutput(run(d, 'make', [])), ...matchBuildOutput(run(d, 'make', ['-f', 'bad.mk']))];
    expect(pick(ps)).toEqual([
      { tool: 'make', severity: 'error', file: 'Makefile', line: 2, column: undefined, message: 'MICROKIT_SDK must be specified' },
      { tool: 'make', severity: 'error', file: 'bad.mk', line: 3, column: undefined, message: 'missing separator' },
    ]);
  });
  it('progress: Ninja counts and CMake-Makefile percentages', () => {
    expect(buildProgress('[3/10] Building C object CMakeFiles/hello.dir/hello.c.o')).toEqual({ done: 3, total: 10 });
    expect(buildProgress('[ 50%] Linking C executable hello.elf')).toEqual({ done: 50, total: 100 });
    expect(buildProgress('hello')).toBeUndefined();
  });
});

describe('the Microkit tool (recorded)', () => {
  const rec = path.join(import.meta.dirname, '../fixtures/recorded-microkit');
  it('an SDF error points into the .system at row:col; a missing image and an unknown board have no place', () => {
    const out = (f: string) => readFileSync(path.join(rec, 'errors', f), 'utf8').split('\n').filter((l) => l.startsWith('Error'))!.join('\n');
    expect(pick(matchBuildOutput(out('bad.microkit-2.3.0.txt')))).toEqual([
      { tool: 'microkit', severity: 'error', file: 'bad.system', line: 10, column: 9, message: "Error: invalid PD name 'b' on element 'end': bad.system:10:9" },
    ]);
    expect(pick(matchBuildOutput(out('bad2.microkit-2.3.0.txt')))[0]).toMatchObject({ file: 'bad2.system', line: 3, column: 5 });
    expect(pick(matchBuildOutput(out('missing.microkit-2.3.0.txt')))).toEqual([
      { tool: 'microkit', severity: 'error', file: undefined, line: undefined, column: undefined, message: `Error: "unable to find program image: 'missing.elf'"` },
    ]);
    expect(matchBuildOutput(out('unknown-board.microkit-2.0.1.txt'))[0]!.message).toContain("board path '$MICROKIT_SDK/board/no_such_board' does not exist");
  });
  it('a successful recorded build (make + gcc + ld + microkit) has no problems', () => {
    expect(matchBuildOutput(readFileSync(path.join(rec, 'make-hello-2.0.1.txt'), 'utf8'))).toEqual([]);
  });
  it('streams: a problem split across chunks is found once', async () => {
    const { BuildProblemMatcher } = await import('../../shared/logs/buildProblems');
    const m = new BuildProblemMatcher();
    const text = "a.c:2:38: error: 'y' undeclared\nCMake Error at CMakeLists.txt:3 (add_executable):\n  Cannot find source file:\n\n    nothere.c\n\n-- Configuring incomplete\n";
    const got = [];
    for (let i = 0; i < text.length; i += 7) got.push(...m.feed(text.slice(i, i + 7)));
    got.push(...m.end());
    expect(got.map((p) => [p.tool, p.file, p.line, p.message])).toEqual([
      ['gcc', 'a.c', 2, "'y' undeclared"],
      ['cmake', 'CMakeLists.txt', 3, 'Cannot find source file: nothere.c'],
    ]);
  });
});
