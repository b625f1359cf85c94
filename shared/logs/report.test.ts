import { describe, expect, it } from 'vitest';
import { MilestoneTracker } from './milestones';
import { bootReportHtml } from './report';

describe('boot report', () => {
  it('is one self-contained page with the timeline, the milestones and the escaped log', () => {
    const tr = new MilestoneTracker();
    tr.feed('LDR|INFO: altloader for seL4 starting\nBootstrapping kernel\n', 0);
    tr.feed('MON|INFO: Microkit Bootstrap\n<script>alert(1)</script>\n\x1b[31mred\x1b[0m\n', 40);
    const html = bootReportHtml({ title: 'hello on qemu_virt_aarch64', subtitle: '2026-11-22', log: 'a <b> & "c"\r\n\x1b[31mred\x1b[0m', milestones: tr.milestones });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('<td>Microkit monitor</td>');
    expect(html).toContain('a &lt;b&gt; &amp; &quot;c&quot;\nred');
    expect(html).not.toMatch(/<script/);
    expect(html).not.toMatch(/(src|href)="http/);
  });
});
