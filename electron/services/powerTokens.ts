import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomicWrite';

/** Home Assistant tokens for board power, per base URL: the user's secret, in their config folder, never a project. */
export const POWER_TOKENS_FILE = 'board-power.json';

const FileSchema = z.object({ version: z.literal(1), tokens: z.array(z.object({ baseUrl: z.string(), token: z.string() })) });

/** The URL as one key (`http://ha:8123` and `http://ha:8123/` are one server). */
const keyOf = (baseUrl: string) => new URL(baseUrl).origin;

/**
 * Like trust.json: mode 0600 in a 0700 folder, and a file another user could have written or can read is not used
 * (a token must not be readable by others, and one planted by others must not be sent).
 */
export class PowerTokens {
  constructor(readonly file: string) {}

  private async read(): Promise<{ baseUrl: string; token: string }[]> {
    try {
      const st = await fs.lstat(this.file);
      if (!st.isFile()) return [];
      if ((typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) return [];
      const parsed = FileSchema.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data.tokens : [];
    } catch {
      return [];
    }
  }

  async get(baseUrl: string): Promise<string | undefined> {
    const key = keyOf(baseUrl);
    return (await this.read()).find((t) => t.baseUrl === key)?.token;
  }

  async has(baseUrl: string): Promise<boolean> {
    return (await this.get(baseUrl)) !== undefined;
  }

  /** Store (or with an empty token, forget) the token for a Home Assistant server. */
  async set(baseUrl: string, token: string): Promise<void> {
    const key = keyOf(baseUrl);
    const others = (await this.read()).filter((t) => t.baseUrl !== key);
    const tokens = token ? [...others, { baseUrl: key, token }] : others;
    await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, tokens }, null, 2)}\n`, { mode: 0o600 });
  }
}
