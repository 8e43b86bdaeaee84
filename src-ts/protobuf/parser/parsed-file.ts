import type { FileDescriptorProto } from '../descriptor/descriptor-proto.js';
import type { Token } from './lexer.js';

/** A 1-based source position. */
export interface Position {
  line: number;
  column: number;
}

/** Which options message an option statement belongs to. */
export type OptionsKind =
  | 'FileOptions'
  | 'MessageOptions'
  | 'FieldOptions'
  | 'OneofOptions'
  | 'EnumOptions'
  | 'EnumValueOptions'
  | 'ServiceOptions'
  | 'MethodOptions'
  | 'ExtensionRangeOptions';

/** One part of an option name: `java_package`, or `(acme.v1.sensitive)` for an extension. */
export interface OptionNamePart {
  name: string;
  isExtension: boolean;
  pos: Position;
}

/** An option value as written, before it is checked against the option's type. */
export type OptionLiteral =
  | { kind: 'identifier'; text: string; negative: boolean }
  | { kind: 'integer'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'string'; bytes: Uint8Array }
  /** `{ ... }` in text format; the tokens between the braces. */
  | { kind: 'aggregate'; tokens: Token[] };

/** An option as written: `option (a.b).c = 5;` or `[(a.b).c = 5]`. */
export interface UninterpretedOption {
  name: OptionNamePart[];
  value: OptionLiteral;
  /** Where the name starts; protoc reports option errors here. */
  pos: Position;
  valuePos: Position;
}

/** The options written on one element, and the options message they belong to. */
export interface PendingOptions {
  kind: OptionsKind;
  list: UninterpretedOption[];
}

/** Positions protoc reports errors at, by element part (protoc's ErrorLocation). */
export type ElementPositions = Partial<Record<
  'name' | 'number' | 'type' | 'extendee' | 'default' | 'input_type' | 'output_type' | 'label' | 'other',
  Position
>>;

/** What the parser knows about one file beyond its descriptor: source positions and options
 * that still need their types to be interpreted. Keys are the descriptor objects themselves. */
export interface ParsedFile {
  filename: string;
  proto: FileDescriptorProto;
  options: Map<object, PendingOptions>;
  positions: Map<object, ElementPositions>;
  /** Where each `import` statement starts, by dependency index. */
  importPositions: Position[];
}
