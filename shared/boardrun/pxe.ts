/**
 * The PXE helper: a dnsmasq configuration that answers only the PXE part of DHCP (proxy-DHCP) on one interface, so a
 * board's UEFI firmware learns which EFI application to fetch over TFTP while the LAN's own DHCP server keeps handing
 * out addresses. dnsmasq runs with DNS off (`port=0`) and never gives out an address. Pure: the host writes the file
 * and, when the user asks, runs dnsmasq on it under supervision.
 */

export interface PxeInput {
  /** The interface the board is on (`eth1`, `enp3s0`). */
  iface: string;
  /** The interface's IPv4 address and netmask (from the host's interface list). */
  address: string;
  netmask: string;
  /** The folder the EFI application is deployed into, and its name there. */
  tftpRoot: string;
  bootFile: string;
  /** Serve TFTP from this dnsmasq (default) or point the firmware at another TFTP server (tftpd-hpa on a lab host). */
  tftpServer?: string;
}

export interface PxeConfig {
  /** The configuration file's text (`dnsmasq --conf-file=FILE`), commented. */
  text: string;
  /** The same as command-line options (for a terminal or a lab host's unit file). */
  options: string[];
  /** What each part does, for the panel. */
  explanation: string[];
}

const IFACE = /^[A-Za-z0-9_.:-]{1,15}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4(text: string, what: string): number {
  const m = IPV4.exec(text);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new Error(`${what} "${text}" is not an IPv4 address`);
  return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0);
}
const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The network an address is in (`192.168.7.23` / `255.255.255.0` → `192.168.7.0`). */
export function networkOf(address: string, netmask: string): string {
  return dotted((ipv4(address, 'the address') & ipv4(netmask, 'the netmask')) >>> 0);
}

export function pxeConfig(i: PxeInput): PxeConfig {
  if (!IFACE.test(i.iface)) throw new Error(`"${i.iface}" is not an interface name`);
  if (!i.tftpRoot.startsWith('/') || /[\n\r,]/.test(i.tftpRoot)) throw new Error(`the TFTP folder must be an absolute path without commas or newlines: ${i.tftpRoot}`);
  if (!/^[A-Za-z0-9_.+\-/]+$/.test(i.bootFile)) throw new Error(`the boot file name "${i.bootFile}" has characters firmware does not take`);
  const net = networkOf(i.address, i.netmask);
  if (i.tftpServer !== undefined) ipv4(i.tftpServer, 'the TFTP server');
  const options = [
    '--port=0',
    `--interface=${i.iface}`,
    '--bind-interfaces',
    `--dhcp-range=${net},proxy,${i.netmask}`,
    `--pxe-service=ARM64_EFI,"seL4 Studio",${i.bootFile}${i.tftpServer ? `,${i.tftpServer}` : ''}`,
    ...(i.tftpServer ? [] : ['--enable-tftp', `--tftp-root=${i.tftpRoot}`]),
    '--log-dhcp',
    '--pid-file=',
  ];
  const lines = [
    '# Proxy-DHCP for network boot, written by seL4 Studio. The LAN keeps its own DHCP server: this one gives out no',
    '# addresses, only the boot file name to PXE clients, and only on the interface below.',
    'port=0',
    `interface=${i.iface}`,
    'bind-interfaces',
    `dhcp-range=${net},proxy,${i.netmask}`,
    `pxe-service=ARM64_EFI,"seL4 Studio",${i.bootFile}${i.tftpServer ? `,${i.tftpServer}` : ''}`,
    ...(i.tftpServer ? [`# TFTP is served by ${i.tftpServer}`] : ['enable-tftp', `tftp-root=${i.tftpRoot}`]),
    'log-dhcp',
    'pid-file=',
  ];
  const explanation = [
    'port=0 — no DNS server: dnsmasq only answers DHCP (and TFTP).',
    `interface=${i.iface}, bind-interfaces — it listens on ${i.iface} only; nothing else on this machine or the LAN changes.`,
    `dhcp-range=${net},proxy — proxy mode: the LAN's DHCP server still gives the board its address; dnsmasq adds only the PXE boot information for ${net}/${i.netmask}.`,
    `pxe-service=ARM64_EFI,…,${i.bootFile} — a 64-bit Arm UEFI client (the Orin's firmware) is told to fetch ${i.bootFile}${i.tftpServer ? ` from ${i.tftpServer}` : ''}.`,
    i.tftpServer ? `TFTP is not served here: ${i.tftpServer} serves the deploy folder (tftpd-hpa on the lab host).` : `enable-tftp, tftp-root=${i.tftpRoot} — dnsmasq's own TFTP server serves the deploy folder (read-only).`,
    'DHCP (port 67) and TFTP (port 69) need root or CAP_NET_BIND_SERVICE: run it with sudo from a terminal, or give dnsmasq the capability, if Start says "Permission denied".',
  ];
  return { text: `${lines.join('\n')}\n`, options, explanation };
}
