// What the board wizard runs in the page, loaded on first use: the device-tree reader and the board engine
// (shared/board) are not part of the first screen's bundle.
export { readDtb } from '../../../shared/dt/dtb';
export { indexTree } from '../../../shared/dt/query';
export { boardPackFromFacts, checkLoaderLink, portGuide, proposeLoaderLink, treeFacts } from '../../../shared/board';
