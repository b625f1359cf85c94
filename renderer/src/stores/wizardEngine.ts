// What the passthrough wizard runs in the page, in one module the wizard slice imports on first use: the engine
// (shared/passthrough) and the device-tree reader are not part of the first screen's bundle.
export { readDtb } from '../../../shared/dt/dtb';
export { indexTree } from '../../../shared/dt/query';
export { catalogue, intidSources, parseBindingHeader, previewPassthrough } from '../../../shared/passthrough';
