import type { StudioState } from '../stores/slice';
import { chordName, matchesKey, type KeyLike } from './keys';
import { NEUTRAL_FOCUS, type Command, type CommandContext } from './types';

/** Whether a command's keys apply here (the focus, the shown views, presentation mode). */
export function applies(command: Command, ctx: CommandContext): boolean {
  return command.when?.(ctx) ?? true;
}

/** Whether a command can do anything now (a button greys out otherwise; the palette leaves it out). */
export function isEnabled(command: Command, state: StudioState): boolean {
  return command.enabled?.(state) ?? true;
}

/** The first command whose keys match the event and apply where the focus is. */
export function commandForKey(commands: readonly Command[], e: KeyLike, ctx: CommandContext): Command | undefined {
  return commands.find((c) => c.keys?.some((k) => matchesKey(e, k)) && applies(c, ctx));
}

/**
 * Run the command a key press names, if any, and return it when it took the key (the caller then prevents the
 * browser's default). A command whose run returns false found nothing to do and leaves the key to the browser.
 */
export function runKey(commands: readonly Command[], e: KeyLike, ctx: CommandContext): Command | undefined {
  const command = commandForKey(commands, e, ctx);
  if (!command) return undefined;
  return command.run(ctx) === false ? undefined : command;
}

/** The commands a user can run by name now: those that apply with no text focused and are enabled. */
export function runnableCommands(commands: readonly Command[], ctx: Omit<CommandContext, 'focus'>): Command[] {
  const neutral = { ...ctx, focus: NEUTRAL_FOCUS };
  return commands.filter((c) => applies(c, neutral) && isEnabled(c, ctx.state));
}

/** A command's keys as shown to the user ('Ctrl+Y, Ctrl+Shift+Z'). */
export function keysText(command: Command): string {
  return (command.keys ?? []).map(chordName).join(', ');
}

/** A button's tooltip: what the command does and its first key ('Build … (Ctrl+Shift+B)'). */
export function titleOf(command: Command): string {
  const text = command.description ?? command.label;
  return command.keys?.length ? `${text} (${chordName(command.keys[0]!)})` : text;
}
