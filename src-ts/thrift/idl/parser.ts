/**
 * Recursive-descent parser for one Thrift file, following the Apache Thrift 0.17 grammar
 * (`thrifty.yy`): headers (include, cpp_include, namespace) before definitions; optional `,`/`;`
 * after fields, enum values, functions, typedefs, consts and annotations, but not after a `}`;
 * implicit field ids counting down from -1; `byte` read as `i8`. It checks what the compiler
 * checks while parsing (duplicate field ids and names, enum value ranges, dotted definition
 * names); names are resolved afterwards, in resolve.ts.
 */
import { ErrorCode, HeddleError } from '../../errors.js';
import type { Annotations, BaseTypeName, Requiredness } from '../model.js';
import type {
  ConstNode,
  DefinitionNode,
  EnumNode,
  EnumValueNode,
  FieldNode,
  FileNode,
  FunctionNode,
  Pos,
  ServiceNode,
  StructNode,
  TypeNode,
} from './ast.js';
import { describeToken, Lexer, type DocComment, type Token } from './lexer.js';

/** Parses one file into its syntax tree. Throws `HeddleError` (ERR_IDL_SYNTAX) on invalid input. */
export function parseFile(source: string, filename: string): FileNode {
  return new Parser(new Lexer(source, filename), filename).file();
}

const BASE_TYPES: Record<string, BaseTypeName> = {
  bool: 'bool', byte: 'i8', i8: 'i8', i16: 'i16', i32: 'i32', i64: 'i64',
  double: 'double', string: 'string', binary: 'binary', uuid: 'uuid',
};

const HEADER_KEYWORDS = new Set(['include', 'cpp_include', 'namespace']);
const DEFINITION_KEYWORDS = new Set(['const', 'typedef', 'enum', 'struct', 'union', 'exception', 'service']);
/** Deeper nesting of types or const values than this is refused rather than risking the stack. */
const MAX_NESTING = 100;
const FIELD_ID_MAX = 32767;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;

/** What a field list belongs to: decides requiredness rules and the wording of errors. */
interface FieldListOwner {
  what: string;
  kind: 'struct' | 'union' | 'exception' | 'args' | 'throws' | 'xsd_attrs';
}

class Parser {
  /** The token being looked at (one token of lookahead is all the grammar needs). */
  private current: Token;
  private previous: Token | undefined;
  /** The doc comment waiting for the next definition, field, enum value or function. */
  private pending: DocComment | undefined;
  private firstDocCaptured = false;
  private depth = 0;

  constructor(
    private readonly lexer: Lexer,
    private readonly filename: string,
  ) {
    this.current = lexer.next();
    this.absorbDocs();
  }

  file(): FileNode {
    const node: FileNode = {
      filename: this.filename,
      namespaces: {},
      namespaceAnnotations: {},
      includes: [],
      cppIncludes: [],
      definitions: [],
    };
    while (this.peek().kind === 'keyword' && HEADER_KEYWORDS.has(this.peek().text)) {
      // A doc comment before a header documents nothing (the compiler drops it too).
      this.pending = undefined;
      this.header(node);
    }
    let firstDefinition: Token | undefined;
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (t.kind === 'keyword' && HEADER_KEYWORDS.has(t.text)) {
        throw this.error(
          `'${t.text}' must come before every definition (the first one is at ${firstDefinition!.line}:${firstDefinition!.column})`,
          t,
        );
      }
      firstDefinition ??= t;
      const doc = this.captureDoc();
      node.definitions.push(this.definition(doc));
    }
    const first = this.lexer.firstDoc;
    if (first !== undefined && !this.firstDocCaptured) node.doc = first;
    return node;
  }

  // ---- headers ----

  private header(node: FileNode): void {
    const kw = this.next();
    if (kw.text === 'include' || kw.text === 'cpp_include') {
      const path = this.expectString(`a quoted path after '${kw.text}'`);
      if (kw.text === 'include') node.includes.push({ path: path.string!, pos: pos(kw) });
      else node.cppIncludes.push(path.string!);
      return;
    }
    if (this.acceptSymbol('*')) {
      node.namespaces['*'] = this.expectIdent("a namespace name after 'namespace *'").text;
      return;
    }
    const scope = this.expectIdent("a language scope after 'namespace' (e.g. 'go', 'java', '*')").text;
    setEntry(node.namespaces, scope, this.expectIdent(`a namespace name after 'namespace ${scope}'`).text);
    const annotations = this.annotations();
    if (annotations !== undefined) setEntry(node.namespaceAnnotations, scope, annotations);
  }

  // ---- definitions ----

  private definition(doc: string | undefined): DefinitionNode {
    const t = this.peek();
    if (t.kind !== 'keyword' || !DEFINITION_KEYWORDS.has(t.text)) {
      if (t.kind === 'symbol' && (t.text === ';' || t.text === ',')) {
        const prev = this.previous;
        if (prev?.text === '}' || prev?.text === ')') {
          throw this.error(`unexpected '${t.text}': Thrift allows no separator after the '}' of a struct, union, exception, enum or service`, t);
        }
      }
      throw this.error(`expected a definition (struct, union, exception, enum, typedef, const or service), found ${describeToken(t)}`, t);
    }
    let def: DefinitionNode;
    switch (t.text) {
      case 'const':
        def = this.constDefinition();
        break;
      case 'typedef':
        def = this.typedef();
        break;
      case 'enum':
        def = this.enumDefinition();
        break;
      case 'service':
        def = this.service();
        break;
      default:
        def = this.struct();
    }
    if (doc !== undefined) def.doc = doc;
    return def;
  }

  private constDefinition(): DefinitionNode {
    const kw = this.next();
    const type = this.type('the type of the const');
    const name = this.definitionName('const');
    this.expectSymbol('=', `'=' and a value after const ${name}`);
    const value = this.constValue(`the value of const ${name}`);
    this.separator();
    return { kind: 'const', name, type, value, pos: pos(kw) };
  }

  private typedef(): DefinitionNode {
    const kw = this.next();
    const type = this.type('the type of the typedef');
    const name = this.definitionName('typedef');
    const annotations = this.annotations() ?? {};
    this.separator();
    return { kind: 'typedef', name, type, annotations, pos: pos(kw) };
  }

  private enumDefinition(): EnumNode {
    const kw = this.next();
    const name = this.definitionName('enum');
    this.expectSymbol('{', `'{' after enum ${name}`);
    const values: EnumValueNode[] = [];
    const byName = new Map<string, EnumValueNode>();
    let last = -1n;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === '}') break;
      if (t.kind !== 'ident') throw this.unclosed('}', `enum ${name}`, kw, t);
      const doc = this.captureDoc();
      this.next();
      const valueName = t.text;
      if (valueName.includes('.')) throw this.error(`enum value name '${valueName}' must not contain a dot`, t);
      let value: bigint;
      if (this.acceptSymbol('=')) {
        const v = this.peek();
        if (v.kind !== 'int') throw this.error(`expected an integer value for ${name}.${valueName}, found ${describeToken(v)}`, v);
        this.next();
        value = v.int!;
        if (value < INT32_MIN || value > INT32_MAX) {
          throw this.error(`value ${v.text} of ${name}.${valueName} does not fit in 32 bits: enum values are i32`, v);
        }
      } else {
        value = last + 1n;
        if (value > INT32_MAX) throw this.error(`implicit value of ${name}.${valueName} overflows i32 (the previous value is ${last})`, t);
      }
      last = value;
      const previous = byName.get(valueName);
      if (previous !== undefined) {
        throw this.error(`enum value ${name}.${valueName} is already defined at ${previous.pos.line}:${previous.pos.column}`, t);
      }
      const node: EnumValueNode = { name: valueName, value: Number(value), annotations: this.annotations() ?? {}, pos: pos(t) };
      if (doc !== undefined) node.doc = doc;
      byName.set(valueName, node);
      values.push(node);
      this.separator();
    }
    this.next();
    return { kind: 'enum', name, values, annotations: this.annotations() ?? {}, pos: pos(kw) };
  }

  private struct(): StructNode {
    const kw = this.next();
    const kind = kw.text as StructNode['kind'];
    const name = this.definitionName(kind);
    if (kind !== 'exception') this.acceptKeyword('xsd_all');
    this.expectSymbol('{', `'{' after ${kind} ${name}`);
    const fields = this.fieldList({ what: `${kind} ${name}`, kind }, '}', kw);
    return { kind, name, fields, annotations: this.annotations() ?? {}, pos: pos(kw) };
  }

  private service(): ServiceNode {
    const kw = this.next();
    const name = this.definitionName('service');
    const node: ServiceNode = { kind: 'service', name, functions: [], annotations: {}, pos: pos(kw) };
    if (this.acceptKeyword('extends')) {
      const base = this.expectIdent(`the name of the service ${name} extends`);
      node.extends = { name: base.text, pos: pos(base) };
    }
    this.expectSymbol('{', `'{' after service ${name}`);
    const byName = new Map<string, FunctionNode>();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === '}') break;
      if (!this.startsFunction(t)) throw this.unclosed('}', `service ${name}`, kw, t);
      const fn = this.function(name);
      const previous = byName.get(fn.name);
      if (previous !== undefined) {
        throw this.error(`function ${fn.name} is already defined in service ${name} at ${previous.pos.line}:${previous.pos.column}`, fn.pos);
      }
      byName.set(fn.name, fn);
      node.functions.push(fn);
    }
    this.next();
    node.annotations = this.annotations() ?? {};
    return node;
  }

  private startsFunction(t: Token): boolean {
    return this.startsType(t) || (t.kind === 'keyword' && (t.text === 'oneway' || t.text === 'async' || t.text === 'void'));
  }

  private function(service: string): FunctionNode {
    const doc = this.captureDoc();
    const start = this.peek();
    const oneway = this.acceptKeyword('oneway') || this.acceptKeyword('async');
    const returnType = this.acceptKeyword('void') ? undefined : this.type(`the return type of a function of service ${service}`);
    const nameToken = this.expectIdent(`a function name in service ${service}`);
    const name = nameToken.text;
    if (name.includes('.')) throw this.error(`function name '${name}' must not contain a dot`, nameToken);
    const open = this.peek();
    this.expectSymbol('(', `'(' after function name ${name}`);
    const args = this.fieldList({ what: `the arguments of ${service}.${name}`, kind: 'args' }, ')', open);
    let throws: FieldNode[] = [];
    const throwsToken = this.peek();
    if (this.acceptKeyword('throws')) {
      const paren = this.peek();
      this.expectSymbol('(', "'(' after 'throws'");
      throws = this.fieldList({ what: `the throws clause of ${service}.${name}`, kind: 'throws' }, ')', paren);
      if (oneway && throws.length > 0) throw this.error(`oneway function ${service}.${name} cannot throw exceptions`, throwsToken);
    }
    const fn: FunctionNode = { name, oneway, args, throws, annotations: this.annotations() ?? {}, pos: pos(start) };
    if (returnType !== undefined) fn.returnType = returnType;
    if (doc !== undefined) fn.doc = doc;
    this.separator();
    return fn;
  }

  // ---- fields ----

  private fieldList(owner: FieldListOwner, closer: '}' | ')', opener: Token): FieldNode[] {
    const fields: FieldNode[] = [];
    const byId = new Map<number, FieldNode>();
    const byName = new Map<string, FieldNode>();
    let nextImplicit = -1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === closer) break;
      if (!this.startsField(t)) throw this.unclosed(closer, owner.what, opener, t);
      const doc = this.captureDoc();
      let id: number;
      let implicitId = false;
      if (t.kind === 'int') {
        this.next();
        this.expectSymbol(':', `':' after field id ${t.text}`);
        if (t.int! > BigInt(FIELD_ID_MAX)) throw this.error(`field id ${t.text} is out of range: Thrift field ids are 16-bit (at most ${FIELD_ID_MAX})`, t);
        if (t.int! <= 0n) {
          // The compiler ignores a non-positive id and assigns the next implicit one.
          id = nextImplicit--;
          implicitId = true;
        } else {
          id = Number(t.int!);
        }
      } else {
        id = nextImplicit--;
        implicitId = true;
      }
      const field = this.field(owner, id, implicitId, t);
      if (doc !== undefined) field.doc = doc;
      const sameId = byId.get(id);
      if (sameId !== undefined) {
        throw this.error(`field id ${id} of ${owner.what} is already used by field '${sameId.name}' at ${sameId.pos.line}:${sameId.pos.column}`, field.pos);
      }
      const sameName = byName.get(field.name);
      if (sameName !== undefined) {
        throw this.error(`field name '${field.name}' of ${owner.what} is already used at ${sameName.pos.line}:${sameName.pos.column}`, field.pos);
      }
      byId.set(id, field);
      byName.set(field.name, field);
      fields.push(field);
    }
    this.next();
    if (owner.kind === 'union') this.checkUnionDefaults(fields, owner);
    return fields;
  }

  private startsField(t: Token): boolean {
    return t.kind === 'int' || this.startsType(t) || (t.kind === 'keyword' && (t.text === 'required' || t.text === 'optional'));
  }

  private field(owner: FieldListOwner, id: number, implicitId: boolean, start: Token): FieldNode {
    let requiredness: Requiredness = 'default';
    if (this.acceptKeyword('required')) requiredness = 'required';
    else if (this.acceptKeyword('optional')) requiredness = 'optional';
    // `optional` means nothing in argument lists; union members are always optional.
    if (owner.kind === 'args' || owner.kind === 'throws') {
      if (requiredness === 'optional') requiredness = 'default';
    } else if (owner.kind === 'union') {
      requiredness = 'optional';
    }
    const type = this.type(`the type of a field of ${owner.what}`);
    this.acceptSymbol('&');
    const nameToken = this.expectIdent(`a field name in ${owner.what}`);
    const name = nameToken.text;
    if (name.includes('.')) throw this.error(`field name '${name}' must not contain a dot`, nameToken);
    const field: FieldNode = { id, implicitId, name, type, requiredness, annotations: {}, pos: pos(start) };
    if (this.acceptSymbol('=')) field.default = this.constValue(`the default value of field ${name}`);
    this.acceptKeyword('xsd_optional');
    this.acceptKeyword('xsd_nillable');
    if (this.acceptKeyword('xsd_attrs')) {
      const brace = this.peek();
      this.expectSymbol('{', "'{' after 'xsd_attrs'");
      this.enter(brace);
      this.fieldList({ what: `the xsd_attrs of field ${name}`, kind: 'xsd_attrs' }, '}', brace);
      this.depth--;
    }
    field.annotations = this.annotations() ?? {};
    this.separator();
    return field;
  }

  private checkUnionDefaults(fields: FieldNode[], owner: FieldListOwner): void {
    let first: FieldNode | undefined;
    for (const f of fields) {
      if (f.default === undefined) continue;
      if (first !== undefined) {
        throw this.error(`${owner.what} gives a default to field '${f.name}' and to '${first.name}': a union may default at most one field`, f.pos);
      }
      first = f;
    }
  }

  // ---- types ----

  private startsType(t: Token): boolean {
    if (t.kind === 'ident') return true;
    return t.kind === 'keyword' && (t.text in BASE_TYPES || t.text === 'list' || t.text === 'set' || t.text === 'map');
  }

  private type(what: string): TypeNode {
    const t = this.peek();
    if (!this.startsType(t)) {
      throw this.error(`expected ${what}, found ${describeToken(t)}${t.text === 'void' ? " ('void' is only a function's return type)" : ''}`, t);
    }
    this.next();
    if (t.kind === 'ident') return { kind: 'named', name: t.text, pos: pos(t) };
    const base = BASE_TYPES[t.text];
    let node: TypeNode;
    if (base !== undefined) {
      node = { kind: 'base', name: base, pos: pos(t) };
    } else {
      this.enter(t);
      if (t.text === 'map') {
        this.cppType();
        this.expectSymbol('<', "'<' after 'map'");
        const key = this.type('the key type of a map');
        this.expectSymbol(',', "',' between the key and value types of a map");
        const value = this.type('the value type of a map');
        this.expectSymbol('>', "'>' to close map<");
        node = { kind: 'map', key, value, pos: pos(t) };
      } else {
        const kind = t.text as 'list' | 'set';
        if (kind === 'set') this.cppType();
        this.expectSymbol('<', `'<' after '${kind}'`);
        const element = this.type(`the element type of a ${kind}`);
        this.expectSymbol('>', `'>' to close ${kind}<`);
        if (kind === 'list') this.cppType();
        node = { kind, element, pos: pos(t) };
      }
      this.depth--;
    }
    const annotations = this.annotations();
    if (annotations !== undefined) node.annotations = annotations;
    return node;
  }

  private cppType(): void {
    if (this.acceptKeyword('cpp_type')) this.expectString("a quoted type name after 'cpp_type'");
  }

  // ---- annotations ----

  /** `( key = "value", flag; ... )`, or undefined when there is no '(' here. */
  private annotations(): Annotations | undefined {
    const open = this.peek();
    if (!this.acceptSymbol('(')) return undefined;
    const out: Annotations = {};
    for (;;) {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === ')') break;
      if (t.kind !== 'ident') throw this.unclosed(')', 'annotations', open, t);
      this.next();
      if (this.acceptSymbol('=')) {
        setEntry(out, t.text, this.expectString(`a quoted value for annotation '${t.text}'`).string!);
      } else {
        setEntry(out, t.text, '1');
      }
      this.separator();
    }
    this.next();
    return out;
  }

  // ---- const values ----

  private constValue(what: string): ConstNode {
    const t = this.peek();
    switch (t.kind) {
      case 'int':
        this.next();
        return { kind: 'int', value: t.int!, pos: pos(t) };
      case 'double':
        this.next();
        return { kind: 'double', value: t.double!, pos: pos(t) };
      case 'string':
        this.next();
        return { kind: 'string', value: t.string!, pos: pos(t) };
      case 'ident':
        this.next();
        return { kind: 'ident', name: t.text, pos: pos(t) };
      case 'symbol':
        if (t.text === '[') return this.constList(t);
        if (t.text === '{') return this.constMap(t);
    }
    throw this.error(`expected ${what} (a number, string, name, [list] or {map}), found ${describeToken(t)}`, t);
  }

  private constList(open: Token): ConstNode {
    this.next();
    this.enter(open);
    const items: ConstNode[] = [];
    while (!this.isSymbol(this.peek(), ']')) {
      if (!this.startsConst(this.peek())) throw this.unclosed(']', 'list', open, this.peek());
      items.push(this.constValue('a list element'));
      this.separator();
    }
    this.next();
    this.depth--;
    return { kind: 'list', items, pos: pos(open) };
  }

  private constMap(open: Token): ConstNode {
    this.next();
    this.enter(open);
    const entries: Array<[ConstNode, ConstNode]> = [];
    while (!this.isSymbol(this.peek(), '}')) {
      if (!this.startsConst(this.peek())) throw this.unclosed('}', 'map', open, this.peek());
      const key = this.constValue('a map key');
      this.expectSymbol(':', "':' between a map key and its value");
      entries.push([key, this.constValue('a map value')]);
      this.separator();
    }
    this.next();
    this.depth--;
    return { kind: 'map', entries, pos: pos(open) };
  }

  private startsConst(t: Token): boolean {
    return t.kind === 'int' || t.kind === 'double' || t.kind === 'string' || t.kind === 'ident' || this.isSymbol(t, '[') || this.isSymbol(t, '{');
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_NESTING) throw this.error(`nesting deeper than ${MAX_NESTING} levels`, at);
  }

  // ---- doc comments ----

  /** The last doc comment before the current token becomes the pending one. */
  private absorbDocs(): void {
    const docs = this.current.docs;
    if (docs !== undefined) this.pending = docs[docs.length - 1];
  }

  /** Takes the doc comment pending before the current token (the compiler's CaptureDocText). */
  private captureDoc(): string | undefined {
    const doc = this.pending;
    this.pending = undefined;
    if (doc === undefined) return undefined;
    if (doc.seq === 0) this.firstDocCaptured = true;
    return doc.text;
  }

  // ---- token helpers ----

  private peek(): Token {
    return this.current;
  }

  private next(): Token {
    const t = this.current;
    if (t.kind !== 'eof') {
      this.previous = t;
      this.current = this.lexer.next();
      this.absorbDocs();
    }
    return t;
  }

  private isSymbol(t: Token, s: string): boolean {
    return t.kind === 'symbol' && t.text === s;
  }

  private acceptSymbol(s: string): boolean {
    if (!this.isSymbol(this.peek(), s)) return false;
    this.next();
    return true;
  }

  private acceptKeyword(k: string): boolean {
    const t = this.peek();
    if (t.kind !== 'keyword' || t.text !== k) return false;
    this.next();
    return true;
  }

  private separator(): void {
    if (!this.acceptSymbol(',')) this.acceptSymbol(';');
  }

  private expectSymbol(s: string, what: string): Token {
    const t = this.peek();
    if (!this.isSymbol(t, s)) throw this.error(`expected ${what}, found ${describeToken(t)}`, t);
    return this.next();
  }

  private expectIdent(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') {
      const hint = t.kind === 'keyword' ? ` ('${t.text}' is a reserved word)` : '';
      throw this.error(`expected ${what}, found ${describeToken(t)}${hint}`, t);
    }
    return this.next();
  }

  private expectString(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'string') throw this.error(`expected ${what}, found ${describeToken(t)}`, t);
    return this.next();
  }

  private definitionName(kind: string): string {
    const t = this.expectIdent(`a name for the ${kind}`);
    if (t.text.includes('.')) throw this.error(`${kind} name '${t.text}' must not contain a dot`, t);
    return t.text;
  }

  private unclosed(closer: string, what: string, opener: Token, found: Token): HeddleError {
    return this.error(`expected '${closer}' to close ${what} opened at ${opener.line}:${opener.column}, found ${describeToken(found)}`, found);
  }

  private error(message: string, at: Token | Pos): HeddleError {
    return new HeddleError(ErrorCode.ERR_IDL_SYNTAX, message, { file: this.filename, line: at.line, column: at.column });
  }
}

/** `record[key] = value`, also for keys like `__proto__` that plain assignment would not store. */
function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

function pos(t: Token): Pos {
  return { line: t.line, column: t.column };
}
