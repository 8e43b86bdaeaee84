/** What the struct generators share while one codec module is being generated. */
import type { ResolvedCodecOptions } from '../codec-options.js';
import type { StructDef } from '../model.js';
import type { DecodeDialect, EncodeDialect } from './dialect.js';

/** The options, dialects and struct lookups the generators of one codec module share. */
export interface GenerationContext {
  readonly options: ResolvedCodecOptions;
  readonly encoding: EncodeDialect;
  readonly decoding: DecodeDialect;
  /** The definition of a struct, union or exception by key. */
  lookupStruct(key: string): StructDef;
  /** The name of the generated encoder of a struct, scheduling its generation. */
  encoderOf(key: string): string;
  /** The name of the generated decoder of a struct, scheduling its generation. */
  decoderOf(key: string): string;
  /**
   * Declares a module-level constant initialised once by the expression `init`, for state a
   * generated function keeps across calls; returns its name (`prefix` plus a number).
   */
  moduleConstant(prefix: string, init: string): string;
}
