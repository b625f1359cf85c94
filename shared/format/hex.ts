/**
 * An address, size or register value as the .system format, dtc and the Microkit tool print it: `0x` and lowercase
 * hex digits, no padding (reference/microkit-sdf.md §12). A bigint keeps 64-bit device-tree values exact.
 */
export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
