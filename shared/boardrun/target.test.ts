import { describe, expect, it } from 'vitest';
import { parseFolderSettings, serializeFolderSettings, defaultFolderSettings } from '../model/folderSettings';
import { BoardTargetSchema, DeployFileNameSchema, haOrigin } from './target';
import { consoleTarget, haServiceCall, isPeImage, planRun, ubootLine } from './plan';
import { networkOf, pxeConfig } from './pxe';

const orin = {
  deploy: { kind: 'tftp', folder: '/srv/tftp', fileName: 'agx/sel4.efi' },
  power: { kind: 'home-assistant', baseUrl: 'http://homeassistant.local:8123', entityId: 'switch.orin_plug' },
  console: { kind: 'serial', path: '/dev/ttyACM1', baudRate: 115200, tcu: true },
  firmware: { kind: 'uefi-pxe' },
};

describe('board targets in the folder settings', () => {
  it('round-trip through the settings file', () => {
    const settings = { ...defaultFolderSettings(), boardTargets: { orin: BoardTargetSchema.parse(orin) } };
    const parsed = parseFolderSettings(serializeFolderSettings(settings));
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.settings?.boardTargets?.orin).toEqual(orin);
  });

  it('a wrong value is reported at its line, with what is expected', () => {
    const text = JSON.stringify({ schemaVersion: 1, build: { variables: {} }, layouts: {}, boardTargets: { orin: { ...orin, power: { ...orin.power, entityId: 'light.kitchen' } } } }, null, 2);
    const { settings, diagnostics } = parseFolderSettings(text, '.sel4-studio/settings.json');
    expect(settings).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect(d.message).toContain('boardTargets.orin.power.entityId: a switch entity id');
    expect(text.split('\n')[d.line! - 1]).toContain('"entityId": "light.kitchen"');
  });

  it('secrets and escapes are refused: a token field, a URL with credentials or a path, a file name leaving the folder', () => {
    expect(BoardTargetSchema.safeParse({ ...orin, power: { ...orin.power, token: 'abc' } }).success).toBe(false);
    expect(BoardTargetSchema.safeParse({ ...orin, power: { ...orin.power, baseUrl: 'http://u:p@ha:8123' } }).success).toBe(false);
    expect(BoardTargetSchema.safeParse({ ...orin, power: { ...orin.power, baseUrl: 'http://ha:8123/api/x' } }).success).toBe(false);
    for (const bad of ['../etc/passwd', '/abs.efi', 'a/../b', '.hidden', 'a//b', 'a b']) expect(DeployFileNameSchema.safeParse(bad).success, bad).toBe(false);
    expect(DeployFileNameSchema.safeParse('agx/sel4.efi').success).toBe(true);
  });
});

describe('the run plan', () => {
  it('shows every step, URL and argv; the token never', () => {
    const plan = planRun('orin', BoardTargetSchema.parse(orin));
    expect(plan.steps.map((s) => s.id)).toEqual(['build', 'deploy', 'power-off', 'console', 'power-on', 'boot']);
    expect(plan.steps[1]!.detail).toContain('/srv/tftp as agx/sel4.efi');
    expect(plan.steps[2]!.detail).toContain('POST http://homeassistant.local:8123/api/services/switch/turn_off {"entity_id":"switch.orin_plug"}');
    expect(plan.steps[3]!.detail).toContain('TCU');
    expect(plan.firmwareNote).toMatch(/EFI application/);
    const cmd = planRun('pdu', BoardTargetSchema.parse({ ...orin, deploy: { kind: 'command', argv: ['scp', '{image}', 'lab:/srv/tftp/agx/sel4.efi'] }, power: { kind: 'command', cycle: ['pdu', 'cycle', 'port 3'] } }));
    expect(cmd.steps[1]!.argv).toEqual(['scp', '{image}', 'lab:/srv/tftp/agx/sel4.efi']);
    expect(cmd.steps[2]!.skip).toBe(true);
    expect(cmd.steps[4]).toMatchObject({ label: 'Power-cycle', argv: ['pdu', 'cycle', 'port 3'] });
    expect(cmd.steps[4]!.detail).toContain("pdu cycle 'port 3'");
  });

  it("U-Boot's line, consoles, Home Assistant's call", () => {
    const uboot = BoardTargetSchema.parse({ ...orin, firmware: { kind: 'u-boot', loadAddress: '0x40000000', boot: 'bootefi', serverIp: '10.0.0.1' } });
    expect(ubootLine(uboot)).toBe('setenv serverip 10.0.0.1; tftpboot 0x40000000 agx/sel4.efi; bootefi 0x40000000');
    expect(consoleTarget({ kind: 'network', protocol: 'rfc2217', host: 'lab1', port: 3001, baudRate: 115200 })).toBe('rfc2217://lab1:3001');
    expect(haServiceCall('http://ha:8123/', 'switch.p', 'on')).toEqual({ url: 'http://ha:8123/api/services/switch/turn_on', method: 'POST', body: '{"entity_id":"switch.p"}' });
  });

  it('PE/COFF is recognised', () => {
    const pe = new Uint8Array(0x100);
    pe.set([0x4d, 0x5a]);
    pe[0x3c] = 0x80;
    pe.set([0x50, 0x45, 0, 0], 0x80);
    expect(isPeImage(pe)).toBe(true);
    expect(isPeImage(new Uint8Array(0x100))).toBe(false);
  });

  it('PXE: the proxy range is the interface network; TFTP elsewhere is pointed at', () => {
    expect(networkOf('192.168.7.23', '255.255.255.0')).toBe('192.168.7.0');
    const c = pxeConfig({ iface: 'eth1', address: '192.168.7.23', netmask: '255.255.255.0', tftpRoot: '/srv/tftp', bootFile: 'agx/sel4.efi', tftpServer: '192.168.7.2' });
    expect(c.options).toContain('--dhcp-range=192.168.7.0,proxy,255.255.255.0');
    expect(c.options).not.toContain('--enable-tftp');
    expect(c.options).toContain('--pxe-service=ARM64_EFI,"seL4 Studio",agx/sel4.efi,192.168.7.2');
    expect(() => pxeConfig({ iface: 'eth1; rm', address: '1.2.3.4', netmask: '255.0.0.0', tftpRoot: '/x', bootFile: 'a' })).toThrow(/interface/);
  });
});

describe('Home Assistant base URL (pure, no URL class)', () => {
  it('takes scheme://host[:port] and nothing more', () => {
    expect(haOrigin('http://homeassistant.local:8123')).toBe('http://homeassistant.local:8123');
    expect(haOrigin('HTTPS://HA.Example:443/')).toBe('https://ha.example:443');
    expect(haOrigin('http://[::1]:8123')).toBe('http://[::1]:8123');
    for (const bad of ['http://user:pw@ha:8123', 'http://ha:8123/api', 'http://ha:8123?x=1', 'http://ha:8123#f', 'ftp://ha', 'http://ha:99999', 'http://', 'ha:8123', 'http://ha :1'])
      expect(haOrigin(bad), bad).toBeUndefined();
    expect(haServiceCall('http://127.0.0.1:8123/', 'switch.orin', 'on').url).toBe('http://127.0.0.1:8123/api/services/switch/turn_on');
  });
});
