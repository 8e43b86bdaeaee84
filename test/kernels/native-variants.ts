// The native kernel variants the kernel tests run: every one this CPU has, by name and id.
import { native } from '../../src-ts/native.js';
import { KernelVariant, nativeVariants } from '../../src-ts/kernels/native-kernels.js';

/** Every variant the addon may run here, except 'auto' (which is one of the others). */
export const variants = nativeVariants.filter((name) => name !== 'auto').map((name) => ({ name, id: KernelVariant[name] }));

/** True when the native kernels can be tested in this run. */
export const nativeLoaded = native.loaded;
