import { describe, expect, it } from 'vitest';
import { attrRange, parseNumberIn, SDF_LIMITS, SDF_SCHEMA } from './schema';
import { checkSystem } from './check';
import { kernelConfig } from './kernelConfig';

const pd = (name: string, attrs = '', inner = '') => `<protection_domain name="${name}"${attrs}><program_image path="${name}.elf" />${inner}</protection_domain>`;
const config = kernelConfig({ arch: 'aarch64', numCores: 256 });
const rulesOf = (xml: string) => checkSystem(`<system>${xml}</system>`, 't.system', config).diagnostics.filter((d) => d.severity === 'error').map((d) => d.rule);

// Each attribute the inspectors edit with a schema range, the checker rule that enforces that range, and a system
// carrying the value. The field (parseNumberIn over attrRange, what inspector/fields.tsx uses) and the checker must
// agree at every edge of the range.
const cases: { element: string; attr: string; rule: string; xml: (v: number) => string }[] = [
  { element: 'protection_domain', attr: 'priority', rule: 'priority', xml: (v) => pd('a', ` priority="${v}"`) },
  { element: 'protection_domain', attr: 'stack_size', rule: 'stack-size', xml: (v) => pd('a', ` stack_size="0x${v.toString(16)}"`) },
  { element: 'protection_domain', attr: 'cpu', rule: 'cpu-range', xml: (v) => pd('a', ` cpu="${v}"`) },
  { element: 'end', attr: 'id', rule: 'id-range', xml: (v) => `${pd('a')}${pd('b')}<channel><end pd="a" id="${v}" /><end pd="b" id="0" /></channel>` },
  { element: 'irq', attr: 'id', rule: 'id-range', xml: (v) => pd('a', '', `<irq irq="40" id="${v}" />`) },
  { element: 'vcpu', attr: 'id', rule: 'id-range', xml: (v) => pd('a', '', `<virtual_machine name="vm"><vcpu id="${v}" /></virtual_machine>`) },
  { element: 'cap_tcb', attr: 'slot', rule: 'cap-slot', xml: (v) => pd('a', '', `<cspace><cap_tcb slot="${v}" pd="a" /></cspace>`) },
];

describe('limits live in the schema: inspector fields and the checker read the same numbers', () => {
  for (const c of cases) {
    it(`${c.element}@${c.attr}`, () => {
      const range = attrRange(c.element, c.attr)!;
      expect(range).toBeDefined();
      for (const v of [range.min, range.max]) {
        expect(parseNumberIn(String(v), range)).toEqual({ value: v });
        expect(rulesOf(c.xml(v))).not.toContain(c.rule);
      }
      for (const v of [range.min - 1, range.max + 1].filter((x) => x >= 0)) {
        expect(parseNumberIn(String(v), range).error).toMatch(/^between /);
        expect(rulesOf(c.xml(v))).toContain(c.rule);
      }
      if (range.align) {
        const off = range.min + range.align / 2;
        expect(parseNumberIn(`0x${off.toString(16)}`, range).error).toBe(`a multiple of 0x${range.align.toString(16)}`);
        expect(rulesOf(c.xml(off))).toContain(c.rule);
      }
    });
  }

  it("the checker's messages state the schema's numbers, in the tool's words", () => {
    const msgs = (xml: string) => checkSystem(`<system>${xml}</system>`, 't.system', config).diagnostics.map((d) => d.message);
    expect(msgs(pd('a', ` priority="${SDF_LIMITS.priority.max + 1}"`))[0]).toBe("Error: priority must be between 0 and 254 on element 'protection_domain': t.system:1:9");
    expect(msgs(pd('a', '', `<irq irq="40" id="${SDF_LIMITS.channelId.max + 1}" />`))[0]).toMatch(/^Error: id must be < 62 on element 'irq'/);
  });

  it('help text is written from the same numbers', () => {
    expect(SDF_SCHEMA.protection_domain!.attrs.priority!.doc).toContain(`${SDF_LIMITS.priority.min}–${SDF_LIMITS.priority.max}`);
    expect(SDF_SCHEMA.end!.attrs.id!.doc).toContain(`${SDF_LIMITS.channelId.min}–${SDF_LIMITS.channelId.max}`);
    expect(SDF_SCHEMA.protection_domain!.attrs.stack_size!.doc).toContain('0x1000–0x1000000, a multiple of 0x1000');
  });

  it('the field parser: empty is absent, hex and separators are read, junk is refused', () => {
    const r = { min: 0, max: 0x10000 };
    expect(parseNumberIn('', r)).toEqual({ value: undefined });
    expect(parseNumberIn('0x1_000', r)).toEqual({ value: 0x1000 });
    expect(parseNumberIn('12a', r).error).toBe('a decimal or 0x-prefixed number');
  });
});
