import { expect, type Locator, type Page } from '@playwright/test';

/** The app as a user sees it: every spec drives it through these verbs (VS Code test/automation style). */
export class StudioPage {
  constructor(readonly page: Page) {}

  async goto(url: string) {
    await this.page.goto(url);
    await expect(this.page.getByTestId('status-host')).toHaveText('Browser mode');
  }

  /** A fresh UI on the same host (as after a crash or a closed tab). */
  async reload() {
    await this.page.reload();
    await expect(this.page.getByTestId('status-host')).toHaveText('Browser mode');
  }

  private byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async newProject(dir: string, name: string, template?: string) {
    await this.byId('btn-new').click();
    await this.byId('dialog-dir').fill(dir);
    await this.byId('dialog-name').fill(name);
    if (template) await this.byId('dialog-template').selectOption(template);
    await this.byId('dialog-ok').click();
    await expect(this.byId('project-name')).toContainText(name);
  }

  async openProject(dir: string) {
    await this.page.keyboard.press('Control+o');
    await this.byId('dialog-dir').fill(dir);
    await this.byId('dialog-ok').click();
  }

  /** Drag a palette item onto the canvas at (x, y) relative to the canvas. */
  async dragFromPalette(kind: 'pd' | 'mr' | 'device' | 'child' | 'vm' | 'irq', x: number, y: number) {
    await this.byId(`palette-${kind}`).dragTo(this.byId('canvas'), { targetPosition: { x, y } });
  }

  /** Draw an edge from a PD's source handle (or its VM's) to another node's target handle. */
  async connect(fromPd: string, to: { kind: 'pd' | 'mr'; name: string }, fromHandle: 'pd' | 'vm' = 'pd') {
    const src = this.node('pd', fromPd).locator(`.react-flow__handle.source[data-handleid="${fromHandle}"]`);
    const dst = this.node(to.kind, to.name).locator('.react-flow__handle.target[data-handleid="in"]');
    const a = (await src.boundingBox())!;
    const b = (await dst.boundingBox())!;
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
    await this.page.mouse.up();
  }

  node(kind: 'pd' | 'mr', name: string): Locator {
    return this.byId(`node-${kind}-${name}`);
  }

  async selectNode(kind: 'pd' | 'mr', name: string) {
    await this.node(kind, name).click();
    await expect(this.byId('inspector')).toContainText(kind === 'pd' ? /protection domain/i : /memory region|device region/i);
  }

  async setField(field: string, value: string) {
    const input = this.byId(`inspect-${field}`);
    await input.fill(value);
    await input.press('Enter');
  }

  /** The XML as Monaco shows it (loaded lazily; waits for the real editor, not the fallback). */
  async xml(): Promise<string> {
    const lines = this.page.locator('[data-testid=xml-preview] .monaco-editor .view-lines');
    await expect(lines).toBeVisible();
    const text = await lines.evaluate((el) =>
      [...el.querySelectorAll('.view-line')]
        .map((l) => ({ top: parseFloat((l as HTMLElement).style.top), text: l.textContent ?? '' }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text)
        .join('\n'),
    );
    return text.replace(/\u00a0/g, ' ');
  }

  /** Put the cursor at the end of the first XML line containing `text` (real clicks and keys). */
  async xmlCursorAfter(text: string) {
    const line = this.page.locator('[data-testid=xml-preview] .view-line', { hasText: text }).first();
    await line.click();
    await this.page.keyboard.press('End');
  }

  /** Replace the whole XML pane's text, as a paste would. */
  async replaceXml(text: string) {
    await this.page.locator('[data-testid=xml-preview] .view-lines').click();
    await this.page.keyboard.press('Control+a');
    await this.page.keyboard.insertText(text);
  }

  /** The labels the completion widget offers. */
  async suggestions(): Promise<string[]> {
    const rows = this.page.locator('[data-testid=xml-preview] .suggest-widget .monaco-list-row');
    await expect(rows.first()).toBeVisible();
    return rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')?.split(',')[0] ?? ''));
  }

  async expectXmlToContain(fragment: string) {
    await expect.poll(() => this.xml()).toContain(fragment);
  }

  async save() {
    await this.page.keyboard.press('Control+s');
    await expect(this.byId('status-dirty')).toHaveText('Saved');
  }

  async undo() {
    await this.page.keyboard.press('Control+z');
  }

  async redo() {
    await this.page.keyboard.press('Control+y');
  }

  async openTab(tab: 'problems' | 'build' | 'output' | 'terminal' | 'doctor') {
    await this.byId(`tab-${tab}`).click();
  }

  toolRow(id: string): Locator {
    return this.byId(`tool-${id}`);
  }

  output(): Locator {
    return this.byId('output');
  }

  notice(kind: 'error' | 'info'): Locator {
    return this.byId(`notice-${kind}`);
  }

  problems(): Locator {
    return this.byId('problems');
  }
}
