import { z } from 'zod';

/** `resources/templates/index.json`: the starting points offered by New Project. */
export const TemplateInfoSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    description: z.string(),
    /** The board the template is written for (its device addresses and IRQs are that board's). */
    board: z.string().min(1),
    /** The template's `.system`, next to index.json. */
    file: z.string().regex(/^[A-Za-z0-9_.-]+\.system$/),
    /** A folder next to index.json whose files (PD sources, CMakeLists.txt) are copied into the new project. */
    sources: z.string().regex(/^[a-z0-9-]+$/).optional(),
  })
  .strict();
export type TemplateInfo = z.infer<typeof TemplateInfoSchema>;

export const TemplateIndexSchema = z.object({ templates: z.array(TemplateInfoSchema) }).strict();
