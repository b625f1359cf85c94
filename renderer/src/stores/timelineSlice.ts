import { DEFAULT_PATTERNS, MilestoneTracker, parseUserPatterns, type Milestone } from '../../../shared/logs/milestones';
import { failure, type SliceFactory } from './slice';
import { BOOT_SOURCE } from './liveSlice';

export const TIMELINE_PATTERNS_FILE = 'timeline-patterns.txt';

/** The boot timeline: milestones found in the emulator's console, and the project's own patterns for them. */
export interface TimelineState {
  milestones: Milestone[];
  /** The project's own timeline patterns (`label = /regex/` lines, timeline-patterns.txt) and their errors. */
  timelinePatterns: string;
  patternErrors: { line: number; message: string }[];
}

export interface TimelineActions {
  /**
   * The project's milestone patterns: checked, used ahead of the built-in ones, re-applied to the boot on screen,
   * and (when `save`) written to timeline-patterns.txt in the project.
   */
  setTimelinePatterns(text: string, save?: boolean): Promise<boolean>;
  /** Read the project's timeline-patterns.txt (none: the built-in patterns only). */
  loadTimelinePatterns(): Promise<void>;
  /** A boot starts (a start or a reset): the timeline starts over from the next console byte. */
  resetTimeline(): void;
  /** Text the booting machine printed, now: milestones it completes join the timeline. */
  feedTimeline(text: string): void;
}

export const createTimelineSlice: SliceFactory<TimelineState, TimelineActions> = (client, set, get, actions) => {
  let tracker = new MilestoneTracker();
  /** The console chunk after which the current boot's timeline starts (a start or a reset). */
  let trackerFrom = 0;
  return {
    state: { milestones: [], timelinePatterns: '', patternErrors: [] },
    actions: {
      async setTimelinePatterns(text: string, save = true) {
        const { patterns, errors } = parseUserPatterns(text);
        set({ timelinePatterns: text, patternErrors: errors });
        if (errors.length) return false;
        tracker = new MilestoneTracker([...patterns, ...DEFAULT_PATTERNS]);
        const q = get().qemu;
        const again: Milestone[] = [];
        if (q) actions.readConsole(q.id, trackerFrom, (text, at) => again.push(...tracker.feed(text, at)));
        set({ milestones: again });
        if (save && get().project) {
          try {
            await client.call('fs.writeText', { path: TIMELINE_PATTERNS_FILE, text });
          } catch (err) {
            set(failure(err));
            return false;
          }
        }
        return true;
      },
      async loadTimelinePatterns() {
        const text = await client.call('fs.readText', { path: TIMELINE_PATTERNS_FILE }).then(
          (r) => r.text,
          () => '',
        );
        await actions.setTimelinePatterns(text, false);
      },
      resetTimeline() {
        tracker.reset();
        trackerFrom = actions.consoleSeq();
        set({ milestones: [] });
        // The live system view follows the same boot.
        actions.resetLive(BOOT_SOURCE);
      },
      feedTimeline(text: string) {
        actions.feedLive(BOOT_SOURCE, text);
        const found = tracker.feed(text, performance.now());
        if (found.length) set((s) => ({ milestones: [...s.milestones, ...found] }));
      },
    },
    dispose() {},
  };
};
