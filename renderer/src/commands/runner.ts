import type { StudioStore } from '../stores/studioStore';
import { runKey } from './dispatch';
import type { KeyLike } from './keys';
import { COMMANDS, type CommandId } from './registry';
import { NEUTRAL_FOCUS, type Command, type CommandContext, type KeyFocus, type Surfaces } from './types';

/**
 * The window's commands over its store: the surfaces mounted views register (the canvas, the palette), running a
 * command by id (buttons, the palette) and handling a key press (the one keydown listener). No React here.
 */
export function createCommandRunner(store: StudioStore, commands: readonly Command[] = COMMANDS) {
  const surfaces: Surfaces = {};
  const byId = new Map(commands.map((c) => [c.id, c]));
  const context = (focus: KeyFocus = NEUTRAL_FOCUS): CommandContext => ({ state: store.getState(), actions: store.actions, focus, surfaces });
  return {
    commands,
    /** What mounted views offer now (read when used: a view comes and goes). */
    surfaces,
    context,
    /** A view offers its handlers while mounted; the returned function withdraws them. */
    register<K extends keyof Surfaces>(name: K, surface: NonNullable<Surfaces[K]>): () => void {
      surfaces[name] = surface;
      return () => {
        if (surfaces[name] === surface) delete surfaces[name];
      };
    },
    /** Run a command as a button or the palette does (no text focused). */
    run(id: CommandId, arg?: string): void {
      byId.get(id)?.run(context(), arg);
    },
    /** A key press where the focus is: the command that took it, if one did. */
    key(e: KeyLike, focus: KeyFocus): Command | undefined {
      return runKey(commands, e, context(focus));
    },
  };
}

export type CommandRunner = ReturnType<typeof createCommandRunner>;
