import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isEventName, isMethodName } from '../../shared/api/contract';
import type { RawTransport } from '../../shared/api/rpc';
import { CALL_CHANNEL, EVENT_CHANNEL } from './channels';

/**
 * Exposes the contract as `window.studio` and nothing else: a call for contract methods only and a subscription for
 * contract events only. Arguments are validated again in main.
 */
const api: RawTransport = {
  call(method, params) {
    if (!isMethodName(method)) return Promise.resolve({ ok: false, error: { code: 'unknown-method', message: `unknown method ${method}` } });
    return ipcRenderer.invoke(CALL_CHANNEL, method, params);
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`unknown event ${event}`);
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('studio', api);
