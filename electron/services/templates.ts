import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/api/errors';
import { TemplateIndexSchema, type TemplateInfo } from '../../shared/model/templates';

/** The project templates shipped with seL4 Studio: `resources/templates/`, next to `boards/` (also in a packaged app: both are extraResources). */
export function defaultTemplatesDir(boardsDir: string): string {
  return process.env.SEL4_STUDIO_TEMPLATES ?? path.resolve(boardsDir, '../resources/templates');
}

export async function listTemplates(dir: string): Promise<TemplateInfo[]> {
  const file = path.join(dir, 'index.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new StudioError('not-found', `project templates not found in ${dir}`);
  }
  const parsed = TemplateIndexSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new StudioError('corrupt', `${file}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.templates;
}

/** A template's description and its `.system` text. */
export async function readTemplate(dir: string, id: string): Promise<{ info: TemplateInfo; systemXml: string }> {
  const info = (await listTemplates(dir)).find((t) => t.id === id);
  if (!info) throw new StudioError('not-found', `no project template '${id}'`);
  return { info, systemXml: await fs.readFile(path.join(dir, info.file), 'utf8') };
}
