import { describe, expect, it } from 'vitest';
import { checkSystem } from './check';
import { kernelConfigFromLabel } from './kernelConfig';
import { migrateToV2 } from './migrate';

const V1 = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a 1.x system -->
<system>
    <protection_domain name="client" priority="10">
        <program_image path="client.elf" />
    </protection_domain>
    <protection_domain name="server" priority="20" pp="true">
        <program_image path="server.elf" />
        <virtual_machine name="vm" id="0" />
    </protection_domain>
    <protection_domain name="peer" priority="30" pp="true">
        <program_image path="peer.elf" />
    </protection_domain>
    <channel>
        <end pd="client" id="0" />
        <end pd="server" id="0" />
    </channel>
    <channel>
        <end pd="peer" id="1" />
        <end pd="server" id="1" />
    </channel>
</system>
`;

describe('1.x -> 2.x migration', () => {
  const aarch64 = kernelConfigFromLabel('aarch64 EL2 hyp, PA40, uniprocessor');
  it('moves pp to the caller end by priority, converts VM ids, reports each change, keeps comments', () => {
    expect(checkSystem(V1, 'v1.system', aarch64).diagnostics[0]!.message).toMatch(/invalid attribute 'pp'/);
    const r = migrateToV2(V1);
    expect(r.legacy).toBe(true);
    expect(r.text).toContain('<!-- a 1.x system -->');
    expect(r.text).toContain('<end pd="client" id="0" pp="true" />');
    expect(r.text).toContain('<vcpu id="0" />');
    expect(r.text).not.toMatch(/protection_domain[^>]*pp=/);
    // peer (30) -> server (20) is not allowed in 2.x; server (20) -> peer (30) is.
    expect(r.text).toContain('<end pd="server" id="1" pp="true" />');
    expect(r.changes.filter((c) => c.warning).map((c) => c.message)).toEqual([expect.stringMatching(/dropped the PPC from 'peer' to 'server'/)]);
    expect(checkSystem(r.text, 'v2.system', aarch64).ok).toBe(true);
  });

  it('leaves 2.x files untouched', () => {
    const v2 = '<system><protection_domain name="a"><program_image path="a.elf"/></protection_domain></system>';
    expect(migrateToV2(v2)).toEqual({ text: v2, changes: [], legacy: false });
  });
});
