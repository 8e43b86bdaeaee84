import { HeddleError, type ErrorCode } from '../../errors.js';
import type { ElementPositions, ParsedFile, Position } from '../parser/parsed-file.js';
import type { FileDescriptorProto } from './descriptor-proto.js';
import { isAggregate, isType, type DescriptorPool, type SymbolEntry } from './pool.js';

/** `LOOKUP_TYPES` skips non-type symbols while searching outward, as protoc does for field types. */
export type LookupMode = 'all' | 'types';

/** The result of a name lookup: the symbol, or why there is none (for protoc's error texts). */
export interface LookupResult {
  entry?: SymbolEntry;
  /** The name was found in a file the current file does not import. */
  undeclaredIn?: { name: string; file: string };
  /** The first part resolved to an aggregate, but the rest was not in it. */
  resolvedTo?: string;
}

/** State for linking one file into a pool: where errors go and how names resolve. */
export class LinkContext {
  readonly file: FileDescriptorProto;
  readonly syntax: 'proto2' | 'proto3';
  private readonly visible: Set<string>;

  constructor(readonly pool: DescriptorPool, readonly parsed: ParsedFile) {
    this.file = parsed.proto;
    this.syntax = parsed.proto.syntax === 'proto3' ? 'proto3' : 'proto2';
    this.visible = pool.visibleFiles(parsed.proto);
  }

  /** Throws at the recorded position of `part` of `element` (or the nearest recorded part). */
  fail(element: object, part: keyof ElementPositions, message: string, code: ErrorCode = 'ERR_IDL_SYNTAX'): never {
    const positions = this.parsed.positions.get(element);
    const where = positions?.[part] ?? positions?.name ?? positions?.number ?? positions?.type;
    this.failAt(where, message, code);
  }

  /** Throws at a position (or at the file alone when none is known, as protoc does). */
  failAt(where: Position | undefined, message: string, code: ErrorCode = 'ERR_IDL_SYNTAX'): never {
    throw new HeddleError(code, message, { file: this.parsed.filename, ...(where ?? {}) });
  }

  /** Adds a name, failing with protoc's "already defined" messages on a clash. */
  addSymbol(entry: SymbolEntry, element: object): void {
    const existing = this.pool.symbols.get(entry.fullName);
    if (existing !== undefined) {
      const dot = entry.fullName.lastIndexOf('.');
      if (existing.file !== this.file.name) {
        this.fail(element, 'name', `"${entry.fullName}" is already defined in file "${existing.file}".`);
      }
      if (dot < 0) this.fail(element, 'name', `"${entry.fullName}" is already defined.`);
      this.fail(element, 'name',
        `"${entry.fullName.slice(dot + 1)}" is already defined in "${entry.fullName.slice(0, dot)}".`);
    }
    this.pool.symbols.set(entry.fullName, entry);
  }

  /** Defines `a`, `a.b`, `a.b.c` for package `a.b.c`. */
  addPackage(name: string): void {
    const dot = name.lastIndexOf('.');
    if (dot >= 0) this.addPackage(name.slice(0, dot));
    const existing = this.pool.symbols.get(name);
    if (existing === undefined) {
      this.pool.symbols.set(name, { kind: 'package', fullName: name, file: this.file.name! });
    } else if (existing.kind !== 'package') {
      this.fail(this.file, 'name',
        `"${name}" is already defined (as something other than a package) in file "${existing.file}".`);
    }
  }

  /** A symbol by full name, only if defined in a file this one can see (protoc's FindSymbol). */
  private find(fullName: string, result: LookupResult): SymbolEntry | undefined {
    const entry = this.pool.symbols.get(fullName);
    if (entry === undefined) return undefined;
    if (this.visible.has(entry.file)) return entry;
    if (entry.kind === 'package') {
      // A package may be defined by several files; it is visible if any visible file uses it.
      for (const name of this.visible) {
        const pkg = this.pool.files.get(name)?.package ?? (name === this.file.name ? this.file.package : undefined);
        if (pkg !== undefined && (pkg === fullName || pkg.startsWith(fullName + '.'))) return entry;
      }
    }
    result.undeclaredIn = { name: fullName, file: entry.file };
    return undefined;
  }

  /**
   * protoc's LookupSymbol: an absolute `.a.B` is looked up as is; a relative `a.B` is searched
   * from the innermost scope of `relativeTo` outward, matching `a` first and then `B` inside the
   * first aggregate named `a`.
   */
  lookup(name: string, relativeTo: string, mode: LookupMode = 'all'): LookupResult {
    const result: LookupResult = {};
    if (name.startsWith('.')) {
      result.entry = this.find(name.slice(1), result);
      return result;
    }
    const dot = name.indexOf('.');
    const firstPart = dot < 0 ? name : name.slice(0, dot);
    let scope = relativeTo;
    for (;;) {
      const cut = scope.lastIndexOf('.');
      if (cut < 0) {
        result.entry = this.find(name, result);
        return result;
      }
      scope = scope.slice(0, cut);
      const candidate = this.find(`${scope}.${firstPart}`, result);
      if (candidate !== undefined) {
        if (dot >= 0) {
          if (isAggregate(candidate)) {
            const full = `${scope}.${name}`;
            result.entry = this.find(full, result);
            if (result.entry === undefined) result.resolvedTo = full;
            return result;
          }
        } else if (mode === 'all' || isType(candidate)) {
          result.entry = candidate;
          return result;
        }
      }
    }
  }

  /** Fails with protoc's "not defined" family of messages for a failed lookup. */
  failNotDefined(element: object, part: keyof ElementPositions, name: string, result: LookupResult): never {
    if (result.undeclaredIn !== undefined) {
      this.fail(element, part,
        `"${result.undeclaredIn.name}" seems to be defined in "${result.undeclaredIn.file}", which is not imported by "${this.file.name}".  To use it here, please add the necessary import.`,
        'ERR_UNKNOWN_TYPE');
    }
    if (result.resolvedTo !== undefined) {
      this.fail(element, part,
        `"${name}" is resolved to "${result.resolvedTo}", which is not defined. The innermost scope is searched first in name resolution. Consider using a leading '.'(i.e., ".${name}") to start from the outermost scope.`,
        'ERR_UNKNOWN_TYPE');
    }
    this.fail(element, part, `"${name}" is not defined.`, 'ERR_UNKNOWN_TYPE');
  }
}

/** `scope.name`, or `name` at the root. */
export function qualify(scope: string, name: string): string {
  return scope === '' ? name : `${scope}.${name}`;
}
