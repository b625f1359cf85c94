/**
 * Board packs from a device tree (a wizard drives these step by step; `sel4-studio board from-dt` runs them at once):
 *
 * 1. `treeFacts(idx, file)`: memory banks, /reserved-memory, the GIC (version, distributor, redistributor or CPU
 *    interface, GICH/GICV, maintenance INTID), the architected timer's PPIs, UARTs (stdout-path, the seL4 overlay's
 *    kernel UART), PSCI, CPUs, the physical-address width and how it was decided; `problems` at their places.
 * 2. `proposeLoaderLink(facts, {payloadSize})` with its reason, or `checkLoaderLink` for an address the user types.
 * 3. `pickableDevices(idx)`: every device for the device-region picker.
 * 4. `boardPackFromFacts(facts, options)`: the BoardPack (schema-validated), every fact with its source.
 *
 * 5. `portGuide(facts, pack, link, payload)` (portGuide.ts): the port checklist with the values filled in.
 *
 * `boardPackFromSdk` (sdkBoards.ts): a pack from what a Microkit SDK holds for a board (gen_config.json, platform_gen.json).
 * `MICROKIT_2_3_0_BOARDS` (microkitBoards.ts): Microkit 2.3.0's board list, with its source.
 */
export { checkLoaderLink, KERNEL_MARGIN, LOADER_SLACK, PA_BITS_SOURCE, pickableDevices, proposeLoaderLink, SEL4_PA_BITS, treeFacts, treeSource, type AddressWidth, type CpuFacts, type GicFacts, type LinkOptions, type LinkProposal, type MemoryBank, type Problem, type ReservedRange, type TimerFacts, type TreeFacts, type UartFacts } from './fromTree';
export { boardPackFromFacts, DEFAULT_PAYLOAD, gccCpu, type PackOptions, type PackResult } from './pack';
export { MICROKIT_2_3_0_BOARDS } from './microkitBoards';
export { boardPackFromSdk, parseGenConfig, parsePlatformGen, sdkConfigToRead, type SdkBoardFiles, type SdkBoardResult } from './sdkBoards';
export { GUIDE_SECTIONS, portGuide, uartKind, type GuideItem, type PortGuide } from './portGuide';
