/**
 * The boards of Microkit 2.3.0: the SDK build script's board list (seL4/microkit build_sdk.py, SUPPORTED_BOARDS).
 * Recorded in reference/microkit-sdf.md §9 from build_sdk.py at main cfd5216 (2.3.0-dev, the day after the tag),
 * where rpi5b_2gb is the one board added after the 2.3.0 tag, so it is not here. 24 of the 28 names are also in an
 * earlier build_sdk.py (with x86_64 and hifive_p550, before kria_k26, rock3b, stm32mp2 and qemu_virt_aarch64_el1)
 * read through the public code index; the 2.3.0 tag's own file was not in it. boards/ has a pack for each
 * (tests/boards.test.ts).
 */
export const MICROKIT_2_3_0_BOARDS = {
  version: '2.3.0',
  source: 'seL4/microkit build_sdk.py SUPPORTED_BOARDS (reference/microkit-sdf.md §9: main cfd5216 less rpi5b_2gb, added after the 2.3.0 tag)',
  boards: [
    'ariane',
    'cheshire',
    'hifive_p550',
    'imx8mm_evk',
    'imx8mp_evk',
    'imx8mp_iotgate',
    'imx8mq_evk',
    'kria_k26',
    'maaxboard',
    'odroidc2',
    'odroidc4',
    'qemu_virt_aarch64',
    'qemu_virt_aarch64_el1',
    'qemu_virt_riscv64',
    'rock3b',
    'rockpro64',
    'rpi4b_1gb',
    'rpi4b_2gb',
    'rpi4b_4gb',
    'rpi4b_8gb',
    'serengeti',
    'star64',
    'stm32mp2',
    'tqma8xqp1gb',
    'ultra96v2',
    'x86_64_generic',
    'x86_64_generic_vtx',
    'zcu102',
  ],
} as const;
