import { graphKeyOfSource } from '../model/graphKeys';
import { allProtectionDomains } from '../model/system';
import { importSystem } from './import';

/**
 * Where a `<program_image>` naming `image` is in a .system text (the `path` attribute, or `path_for_symbols` when
 * `forSymbols`): the place a Microkit "unable to find program image" error belongs, which the tool prints without one.
 */
export function programImagePlace(text: string, image: string, forSymbols = false): { line: number; column: number } | undefined {
  const { model, sources } = importSystem(text);
  if (!model) return undefined;
  const pds = allProtectionDomains(model);
  for (const [key, at] of sources) {
    if (!key.endsWith(forSymbols ? '/program_image@path_for_symbols' : '/program_image@path')) continue;
    const name = graphKeyOfSource(key)?.slice(3);
    const pd = pds.find((p) => p.name === name);
    if (pd && (forSymbols ? pd.pathForSymbols : pd.programImage) === image) return at;
  }
  return undefined;
}
