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

/** A template's description, its `.system` text, and its source files (PD programs and their CMakeLists.txt). */
export async function readTemplate(dir: string, id: string): Promise<{ info: TemplateInfo; systemXml: string; files: { path: string; text: string }[] }> {
  const info = (await listTemplates(dir)).find((t) => t.id === id);
  if (!info) throw new StudioError('not-found', `no project template '${id}'`);
  const files: { path: string; text: string }[] = [];
  if (info.sources) {
    const src = path.join(dir, info.sources);
    for (const f of (await fs.readdir(src)).sort()) files.push({ path: f, text: await fs.readFile(path.join(src, f), 'utf8') });
  }
  return { info, systemXml: await fs.readFile(path.join(dir, info.file), 'utf8'), files };
}
