/**
 * The web pages the Electron window may hand to the system browser (`shell.openExternal`): seL4's documentation and
 * the projects seL4 Studio works with. The page asks; anything else — another site, another scheme (`file:`, a custom
 * protocol handler), credentials in the URL — is refused, so a script injected into the page cannot use the browser
 * or a URL handler as a way out.
 */
const ALLOWED: readonly { host: string; path?: RegExp }[] = [
  { host: 'docs.sel4.systems' },
  { host: 'sel4.systems' },
  { host: 'trustworthy.systems' },
  { host: 'github.com', path: /^\/(seL4|au-ts|sel4-studio)(\/|$)/i },
];

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return false;
  return ALLOWED.some((a) => url.hostname === a.host && (!a.path || a.path.test(url.pathname)));
}
