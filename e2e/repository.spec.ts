import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './fixtures';
import { requireTool } from './requireTool';

const root = path.resolve(import.meta.dirname, '..');
const corpus = path.join(root, 'tests/fixtures/microkit-corpus');

/**
 * A folder shaped like a real checkout (no studio.json): system files with licence headers from the corpus, a
 * LionsOS-style cpp template, a HAMR-style XInclude set, a Makefile and a PD source, all committed to git.
 */
function checkout(dir: string) {
  cpSync(path.join(root, 'tests/fixtures/repo'), dir, { recursive: true });
  for (const rel of ['seL4__microkit/example/hello/hello.system', 'au-ts__sddf/examples/serial/board/qemu_virt_aarch64/serial.system']) {
    const to = path.join(dir, 'examples', path.basename(path.dirname(rel)) === 'hello' ? 'hello' : 'serial', path.basename(rel));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(path.join(corpus, rel), to);
  }
  writeFileSync(path.join(dir, 'examples/hello/hello.c'), '#include <microkit.h>\nvoid init(void) { microkit_dbg_puts("hello, world\\n"); }\nvoid notified(microkit_channel ch) {}\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'checkout');
  return git;
}

test('a git checkout opens as it is: the Explorer lists it, a graph edit is a one-line git diff, disk changes reload or ask', async ({ studio, host, page }) => {
  requireTool('git', 'git');
  const dir = path.join(host.workspace, 'checkout');
  const git = checkout(dir);
  const hello = path.join(dir, 'examples/hello/hello.system');
  const original = readFileSync(hello, 'utf8');

  await studio.openProject(dir);
  // No studio.json needed; nothing is written on open.
  await expect(page.getByTestId('explorer')).toBeVisible();
  const files = page.getByTestId('explorer-file');
  await expect(files.filter({ hasText: 'hello.system' })).toBeVisible();
  await expect(page.getByTestId('explorer')).toContainText('vmm.system');
  await expect(page.getByTestId('explorer')).toContainText('microkit.system');
  await expect(page.getByTestId('explorer')).toContainText('Makefile');
  expect(git('status', '--porcelain')).toBe('');

  await files.filter({ hasText: 'hello.system' }).click();
  await expect(studio.node('pd', 'hello')).toBeVisible();
  await studio.selectNode('pd', 'hello');
  await studio.setField('priority', '200');
  await page.keyboard.press('Control+s');
  await expect(studio.notice('info')).toContainText('Saved examples/hello/hello.system');
  // The licence header, the layout of the file and every other byte stay: one line changed, nothing else written.
  expect(git('diff', '--numstat')).toBe('1\t1\texamples/hello/hello.system\n');
  expect(git('diff', '-U0')).toMatch(/^- {4}<protection_domain name="hello">\n\+ {4}<protection_domain name="hello" priority="200">$/m);
  expect(git('status', '--porcelain')).toBe(' M examples/hello/hello.system\n');
  await page.screenshot({ path: 'test-results/screenshots/repository.png' });

  // Changed on disk, no local edits: reloaded in place.
  writeFileSync(hello, readFileSync(hello, 'utf8').replace('<system>', '<system>\n    <!-- edited in another editor -->'));
  await studio.expectXmlToContain('edited in another editor');
  await expect(page.getByTestId('disk-bar')).toHaveCount(0);

  // Changed on disk with local edits: the bar; Compare shows both; Keep mine, then the save writes ours.
  await studio.selectNode('pd', 'hello');
  await studio.setField('priority', '199');
  writeFileSync(hello, readFileSync(hello, 'utf8').replace('edited in another editor', 'edited again'));
  await expect(page.getByTestId('disk-bar')).toContainText('examples/hello/hello.system changed on disk');
  await page.getByTestId('disk-compare').click();
  await expect(page.getByTestId('disk-diff')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/disk-compare.png' });
  await page.getByTestId('disk-keep').click();
  await page.keyboard.press('Control+s');
  const saved = readFileSync(hello, 'utf8');
  await expect.poll(() => readFileSync(hello, 'utf8')).toContain('priority="199"');
  expect(saved.startsWith(original.slice(0, original.indexOf('<system>')))).toBe(true);

  // The source editor never overwrites a file changed on disk since it was opened.
  const src = path.join(dir, 'examples/hello/hello.c');
  await files.filter({ hasText: 'hello.c' }).click();
  await expect(page.getByTestId('source-editor')).toContainText('hello, world');
  await page.locator('[data-testid=source-editor] .view-line', { hasText: 'void init' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type(' /* mine */');
  writeFileSync(src, '/* fixed elsewhere */\n');
  await expect(page.getByTestId('source-disk-bar')).toBeVisible();
  await page.getByTestId('source-save').click();
  await expect(studio.notice('error')).toContainText('changed on disk since it was opened');
  expect(readFileSync(src, 'utf8')).toBe('/* fixed elsewhere */\n');
});

test('a cpp template and an XInclude set open as the tools read them; edits go into the file that holds the text', async ({ studio, host, page }) => {
  requireTool('git', 'git');
  requireTool('cpp', 'cpp');
  const dir = path.join(host.workspace, 'checkout');
  const git = checkout(dir);
  await studio.openProject(dir);
  const files = page.getByTestId('explorer-file');

  // XInclude (HAMR): the PDs of the included files are drawn; an edit of an included element goes to its file.
  await files.filter({ hasText: 'microkit.system' }).click();
  await expect(studio.node('pd', 'p1_t1_MON')).toBeAttached();
  const find = async (name: string) => {
    await page.keyboard.press('Control+f');
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('inspect-name')).toHaveValue(name);
  };
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await find('pacer');
  await studio.setField('priority', '249');
  await find('p1_t1_MON');
  await studio.setField('priority', '120');
  await page.keyboard.press('Control+s');
  await expect(studio.notice('info')).toContainText('Saved');
  const numstat = git('diff', '--numstat').trim().split('\n').sort();
  expect(numstat).toEqual(['1\t1\thamr/microkit/microkit.system', '1\t1\thamr/microkit/p1_t1_MON.xml']);
  expect(git('diff', 'hamr/microkit/microkit.system')).toContain('+  <protection_domain name="pacer" domain="domain_1" priority="249">');

  // A cpp template (LionsOS style): preprocessed with the Makefile's flags; a literal goes into the template, a value
  // that comes from a macro is refused and its definition shown.
  await files.filter({ hasText: 'vmm.system' }).click();
  await expect(studio.node('pd', 'VMM')).toBeAttached();
  await page.getByTestId('canvas').click({ position: { x: 5, y: 5 } });
  await find('VMM');
  await studio.setField('priority', '200');
  await page.keyboard.press('Control+s');
  await expect(studio.notice('info')).toContainText('Saved examples/vmm/vmm.system');
  expect(git('diff', '--numstat', 'examples/vmm/vmm.system')).toBe('1\t1\texamples/vmm/vmm.system\n');
  expect(git('diff', 'examples/vmm/vmm.system')).toContain('+    <protection_domain name="VMM" priority="200">');
  await find('guest_ram');
  await studio.setField('size', '0x20000000');
  await expect(studio.notice('error')).toContainText('through the preprocessor');
  await expect(page.getByTestId('source-editor')).toBeVisible();
  expect(git('diff', '--numstat', 'include/vmm_ram.h')).toBe('');
  await page.screenshot({ path: 'test-results/screenshots/repository-template.png' });

  // The flags come from the Makefile and can be changed: another board's addresses.
  await expect(page.getByTestId('template-flags')).toHaveText('cpp -DBOARD_qemu_virt_aarch64 -Iinclude');
  await studio.expectXmlToContain('phys_addr="0x9000000"');
  await page.getByTestId('template-flags').click();
  await page.getByTestId('template-flags-input').fill('-DBOARD_odroidc4 -Iinclude');
  await page.getByTestId('template-flags-input').press('Enter');
  await studio.expectXmlToContain('phys_addr="0xff803000"');
});
