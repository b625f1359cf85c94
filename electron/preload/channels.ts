/** IPC channel names shared by the preload and Electron main. */
export const CALL_CHANNEL = 'studio:call';
export const EVENT_CHANNEL = 'studio:event';
