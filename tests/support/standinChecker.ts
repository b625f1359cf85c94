// Bundled into the stand-in SDK's bin/checker.cjs: the Microkit 2.3.0 checks for a board of this repository.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BoardPackSchema, kernelConfigForBoard } from '../../shared/model/board';
import { checkSystem } from '../../shared/sdf/check';
import { importSystem } from '../../shared/sdf/import';
import { allProtectionDomains } from '../../shared/model/system';

declare const BOARDS_DIR: string;

/** The tool prints its first error and stops; warnings go to stdout first. */
export function checkFor(text: string, file: string, board: string, config: string) {
  const pack = BoardPackSchema.parse(JSON.parse(readFileSync(path.join(BOARDS_DIR, board, 'board.json'), 'utf8')));
  const { diagnostics } = checkSystem(text, file, kernelConfigForBoard(pack, config));
  const error = diagnostics.find((d) => d.severity === 'error');
  const model = importSystem(text, file).model;
  const pds = model ? allProtectionDomains(model).map((p) => ({ name: p.name, priority: p.priority ?? 0 })) : [];
  return { error: error?.message, warnings: diagnostics.filter((d) => d.message.startsWith('WARNING')).map((d) => d.message), pds };
}

export function programImages(text: string): string[] {
  const model = importSystem(text).model;
  return model ? allProtectionDomains(model).map((p) => p.programImage) : [];
}
