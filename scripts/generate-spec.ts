/**
 * Generates src/amqp/spec.generated.ts from RabbitMQ's machine-readable AMQP 0-9-1
 * spec (amqp-rabbitmq-0.9.1.json): constants, method ids, one interface and one
 * straight-line decoder/encoder per method, and the basic content properties.
 *
 * Straight-line code rather than a table-driven interpreter because decodeMethod and
 * encodeMethod sit on every publish and delivery: V8 optimises a per-method function
 * with fixed reads far better than a loop that dispatches on field types at run time.
 *
 *   npm run generate                      (reads ../shared/amqp/amqp-rabbitmq-0.9.1.json)
 *   node dist/scripts/generate-spec.js PATH
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// ---------------------------------------------------------------- the spec's shape

interface SpecField {
  name: string;
  type?: string;
  domain?: string;
}

interface SpecMethod {
  id: number;
  name: string;
  arguments: SpecField[];
  synchronous?: boolean;
  content?: boolean;
}

interface SpecClass {
  id: number;
  name: string;
  methods: SpecMethod[];
  properties?: SpecField[];
}

interface SpecConstant {
  name: string;
  value: number;
  class?: string;
}

interface Spec {
  'major-version': number;
  'minor-version': number;
  revision: number;
  port: number;
  copyright: string[];
  domains: [string, string][];
  constants: SpecConstant[];
  classes: SpecClass[];
}

/** The wire types every domain bottoms out in. */
type Primitive = 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'shortstr' | 'longstr' | 'bit' | 'table';

const PRIMITIVES: ReadonlySet<string> = new Set<Primitive>([
  'octet',
  'short',
  'long',
  'longlong',
  'timestamp',
  'shortstr',
  'longstr',
  'bit',
  'table',
]);

/** Per primitive: TS type, reader call, fixed encoded size (0 = variable), writer call. */
interface Wire {
  ts: string;
  read: string;
  /** Fixed encoded size, or 0 when it depends on the value. */
  size: number;
  /** Exact size of a variable-size value, and a cheaper upper bound of it. */
  sizeOf?: string;
  boundOf?: string;
  write?: string;
}

const WIRE: Record<Primitive, Wire> = {
  octet: { ts: 'number', read: 'r.u8()', size: 1, write: 'writeU8' },
  short: { ts: 'number', read: 'r.u16()', size: 2, write: 'writeU16' },
  long: { ts: 'number', read: 'r.u32()', size: 4, write: 'writeU32' },
  longlong: { ts: 'number', read: 'r.u64()', size: 8, write: 'writeU64' },
  timestamp: { ts: 'number', read: 'r.u64()', size: 8, write: 'writeU64' },
  shortstr: { ts: 'string', read: 'r.shortstr()', size: 0, sizeOf: 'shortstrSize', boundOf: 'shortstrSizeBound', write: 'writeShortstr' },
  longstr: {
    ts: 'Buffer | string',
    read: 'r.longstrBuffer()',
    size: 0,
    sizeOf: 'longstrSize',
    boundOf: 'longstrSizeBound',
    write: 'writeLongstr',
  },
  table: { ts: 'FieldTable', read: 'r.table()', size: 0, sizeOf: 'tableByteLength', boundOf: 'tableByteLength', write: 'writeTable' },
  bit: { ts: 'boolean', read: '', size: 0 }, // packed into octets, handled by the bit-group logic
};

// ---------------------------------------------------------------- names

function words(name: string): string[] {
  return name.split(/[-_ .]+/).filter((w) => w.length > 0);
}

function pascal(name: string): string {
  return words(name)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function camel(name: string): string {
  const p = pascal(name);
  return p[0]!.toLowerCase() + p.slice(1);
}

/** 'PRECONDITION-FAILED' -> 'PRECONDITION_FAILED' */
function constantName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** Words a generated local variable cannot be called (strict-mode reserved) or that the decoders use themselves. */
const UNUSABLE_LOCALS: ReadonlySet<string> = new Set(
  (
    'arguments eval await break case catch class const continue debugger default delete do else enum export ' +
    'extends false finally for function if implements import in instanceof interface let new null package ' +
    'private protected public return static super switch this throw true try typeof var void while with yield r'
  ).split(' '),
);

/** The local a decoder reads a field into: the field's own name unless that is unusable (e.g. `arguments`). */
function localName(field: string): string {
  return UNUSABLE_LOCALS.has(field) || /^bits[0-9]+$/.test(field) ? `${field}_` : field;
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------- model

interface Field {
  specName: string;
  name: string;
  type: Primitive;
  domain: string | undefined;
}

interface MethodModel {
  typeName: string;
  specName: string; // 'basic.publish'
  classId: number;
  methodId: number;
  id: number;
  fields: Field[];
  synchronous: boolean;
  content: boolean;
}

/** A run of arguments that share encoding: one field, or up to 8 consecutive bits packed into one octet. */
type Chunk = { kind: 'field'; field: Field } | { kind: 'bits'; fields: Field[] };

function fail(message: string): never {
  throw new Error(`generate-spec: ${message}`);
}

function asSpec(json: unknown): Spec {
  const s = json as Partial<Spec> | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.classes) || !Array.isArray(s.constants) || !Array.isArray(s.domains)) {
    fail('input does not look like amqp-rabbitmq-*.json (needs classes, constants and domains)');
  }
  return s as Spec;
}

function resolveType(field: SpecField, domains: Map<string, string>, where: string): Primitive {
  let t = field.type ?? field.domain ?? fail(`${where}: field ${field.name} has neither type nor domain`);
  for (let hops = 0; !PRIMITIVES.has(t); hops++) {
    const next = domains.get(t);
    if (next === undefined || hops > 10) fail(`${where}: cannot resolve domain ${t}`);
    t = next;
  }
  return t as Primitive;
}

function toField(f: SpecField, domains: Map<string, string>, where: string): Field {
  const type = resolveType(f, domains, where);
  const domain = f.domain !== undefined && f.domain !== type ? f.domain : undefined;
  return { specName: f.name, name: camel(f.name), type, domain };
}

function chunksOf(fields: Field[]): Chunk[] {
  const chunks: Chunk[] = [];
  let bits: Field[] | null = null;
  for (const field of fields) {
    if (field.type === 'bit') {
      // The spec packs consecutive bits into octets, LSB first, 8 to an octet.
      if (bits === null || bits.length === 8) {
        bits = [];
        chunks.push({ kind: 'bits', fields: bits });
      }
      bits.push(field);
    } else {
      bits = null; // any other field ends the bit group
      chunks.push({ kind: 'field', field });
    }
  }
  return chunks;
}

function buildMethods(spec: Spec, domains: Map<string, string>): MethodModel[] {
  const methods: MethodModel[] = [];
  const seen = new Set<string>();
  for (const c of spec.classes) {
    for (const m of c.methods) {
      const specName = `${c.name}.${m.name}`;
      const typeName = pascal(c.name) + pascal(m.name);
      if (seen.has(typeName)) fail(`two methods map to the name ${typeName}`);
      seen.add(typeName);
      const fields = m.arguments.map((a) => toField(a, domains, specName));
      const names = new Set<string>(['id']);
      for (const f of fields) {
        if (names.has(f.name)) fail(`${specName}: field name ${f.name} collides`);
        names.add(f.name);
      }
      methods.push({
        typeName,
        specName,
        classId: c.id,
        methodId: m.id,
        id: ((c.id << 16) | m.id) >>> 0,
        fields,
        synchronous: m.synchronous === true,
        content: m.content === true,
      });
    }
  }
  return methods;
}

// ---------------------------------------------------------------- emitters

function emitHeader(spec: Spec, sourceName: string): string[] {
  const out = [
    '// GENERATED FILE - DO NOT EDIT.',
    `// Generated by scripts/generate-spec.ts from ${sourceName}`,
    "// (RabbitMQ's machine-readable AMQP 0-9-1 spec). Regenerate with `npm run generate`.",
    '//',
    '// The spec data it is generated from carries this notice:',
    '//',
  ];
  for (const line of spec.copyright.join('').split('\n')) out.push(line.trimEnd() === '' ? '//' : `//   ${line.trimEnd()}`);
  while (out[out.length - 1] === '//') out.pop();
  out.push(
    '',
    "import type { ByteReader } from './byte-reader.js';",
    'import {',
    '  longstrSize,',
    '  longstrSizeBound,',
    '  shortstrSize,',
    '  shortstrSizeBound,',
    '  writeLongstr,',
    '  writeShortstr,',
    '  writeU16,',
    '  writeU32,',
    '  writeU64,',
    '  writeU8,',
    "} from './byte-writer.js';",
    "import { AmqpError } from './errors.js';",
    "import { tableByteLength, writeTable, type FieldTable } from './field-table.js';",
    '',
  );
  return out;
}

function emitConstants(spec: Spec): string[] {
  const frameTypes: string[] = [];
  const replyCodes: SpecConstant[] = [];
  let frameEnd: number | undefined;
  let frameMinSize: number | undefined;
  for (const k of spec.constants) {
    // Reply codes carry a hard/soft-error class (REPLY-SUCCESS aside); note FRAME-ERROR is one of them.
    if (k.class !== undefined || k.name.startsWith('REPLY-')) replyCodes.push(k);
    else if (k.name === 'FRAME-END') frameEnd = k.value;
    else if (k.name === 'FRAME-MIN-SIZE') frameMinSize = k.value;
    else if (k.name.startsWith('FRAME-')) frameTypes.push(`${pascal(k.name.slice('FRAME-'.length).toLowerCase())}: ${k.value}`);
    else fail(`constant ${k.name} is neither a frame constant nor a reply code`);
  }
  if (frameEnd === undefined || frameMinSize === undefined) fail('constants FRAME-END and FRAME-MIN-SIZE are required');
  const major = spec['major-version'];
  const minor = spec['minor-version'];
  const revision = spec.revision;

  const out = [
    `/** Protocol ${major}-${minor}-${revision}; the header a client opens with is "AMQP" 0 ${major} ${minor} ${revision}. */`,
    `export const PROTOCOL_VERSION = { major: ${major}, minor: ${minor}, revision: ${revision} } as const;`,
    '',
    '/** The 8 bytes a client must open with. Shared: never modify it. */',
    `export const PROTOCOL_HEADER: Buffer = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, ${major}, ${minor}, ${revision}]);`,
    '',
    `export const AMQP_PORT = ${spec.port};`,
    '',
    `export const FrameType = { ${frameTypes.join(', ')} } as const;`,
    'export type FrameType = (typeof FrameType)[keyof typeof FrameType];',
    '',
    `export const FRAME_END = 0x${frameEnd.toString(16)};`,
    '',
    '/** The smallest frame-max a peer may negotiate, and the limit before connection.tune-ok. */',
    `export const FRAME_MIN_SIZE = ${frameMinSize};`,
    '',
    '/** Reply codes for connection.close / channel.close (and basic.return). */',
    'export const ReplyCode = {',
    ...replyCodes.map((k) => `  ${constantName(k.name)}: ${k.value},`),
    '} as const;',
    'export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];',
    '',
    "/** Reply code -> its name as RabbitMQ prints it in reply-text, e.g. 406 -> 'PRECONDITION_FAILED'. */",
    'export const replyCodeName: Record<number, string> = {',
    ...replyCodes.map((k) => `  ${k.value}: '${constantName(k.name)}',`),
    '};',
    '',
    '/** Hard errors close the connection; soft errors close only the channel. */',
    'export function isConnectionError(code: number): boolean {',
    '  switch (code) {',
    ...replyCodes.filter((k) => k.class === 'hard-error').map((k) => `    case ${k.value}: // ${constantName(k.name)}`),
    '      return true;',
    '    default:',
    '      return false;',
    '  }',
    '}',
    '',
  ];
  return out;
}

function emitIds(spec: Spec, methods: MethodModel[]): string[] {
  return [
    'export const ClassId = {',
    ...spec.classes.map((c) => `  ${pascal(c.name)}: ${c.id},`),
    '} as const;',
    '',
    '/** (class-id << 16) | method-id for every method. */',
    'export const MethodId = {',
    ...methods.map((m) => `  ${m.typeName}: ${hex32(m.id)},`),
    '} as const;',
    'export type MethodId = (typeof MethodId)[keyof typeof MethodId];',
    '',
    'export function classIdOf(id: number): number {',
    '  return id >>> 16;',
    '}',
    '',
    '/** The method-id within its class. */',
    'export function methodIdOf(id: number): number {',
    '  return id & 0xffff;',
    '}',
    '',
    "const METHOD_NAMES: Record<number, string> = {",
    ...methods.map((m) => `  ${hex32(m.id)}: '${m.specName}',`),
    '};',
    '',
    "/** 'basic.publish' etc., for logs and error texts. */",
    'export function methodName(id: number): string {',
    '  return METHOD_NAMES[id] ?? `unknown method ${id >>> 16}/${id & 0xffff}`;',
    '}',
    '',
    '/** True for the methods followed by a content header and body frames. */',
    'export function methodHasContent(id: number): boolean {',
    '  switch (id) {',
    ...methods.filter((m) => m.content).map((m) => `    case MethodId.${m.typeName}:`),
    '      return true;',
    '    default:',
    '      return false;',
    '  }',
    '}',
    '',
  ];
}

function fieldComment(f: Field): string {
  return f.domain !== undefined ? `${f.type} (${f.domain})` : f.type;
}

function emitInterfaces(methods: MethodModel[]): string[] {
  const out = [
    '// Method arguments. longlong and timestamp are plain numbers, read as hi * 2^32 + lo:',
    '// exact below 2^53 (delivery tags and counts never get near), rounded above.',
    '// longstr decodes to a Buffer that views the received frame (copy it to keep it);',
    '// a string is accepted when encoding and written as UTF-8.',
    '',
  ];
  for (const m of methods) {
    const notes = [m.synchronous ? 'synchronous' : '', m.content ? 'followed by content' : ''].filter((s) => s !== '');
    const suffix = notes.length > 0 ? `; ${notes.join(', ')}` : '';
    out.push(`/** ${m.specName} (${m.classId}/${m.methodId})${suffix} */`);
    out.push(`export interface ${m.typeName} {`);
    out.push(`  id: typeof MethodId.${m.typeName};`);
    for (const f of m.fields) out.push(`  ${f.name}: ${WIRE[f.type].ts}; // ${fieldComment(f)}`);
    out.push('}', '');
  }
  out.push('export type Method =');
  methods.forEach((m, i) => out.push(`  | ${m.typeName}${i === methods.length - 1 ? ';' : ''}`));
  out.push('');
  return out;
}

function emitDecoders(methods: MethodModel[]): string[] {
  const out = [
    '/**',
    ' * Decodes a method frame payload: class-id, method-id, then the arguments.',
    ' * Unknown methods are COMMAND_INVALID (a connection error); truncated ones SYNTAX_ERROR.',
    ' */',
    'export function decodeMethod(r: ByteReader): Method {',
    '  const classId = r.u16();',
    '  const methodId = r.u16();',
    '  switch ((classId << 16) | methodId) {',
  ];
  for (const m of methods) {
    out.push(`    case ${hex32(m.id)}:`);
    out.push(`      return decode${m.typeName}(${m.fields.length > 0 ? 'r' : ''});`);
  }
  out.push(
    '    default:',
    '      throw new AmqpError(',
    '        ReplyCode.COMMAND_INVALID,',
    '        `unknown method: class ${classId}, method ${methodId}`,',
    '        classId,',
    '        methodId,',
    '      );',
    '  }',
    '}',
    '',
  );
  for (const m of methods) {
    if (m.fields.length === 0) {
      out.push(`function decode${m.typeName}(): ${m.typeName} {`);
      out.push(`  return { id: MethodId.${m.typeName} };`);
      out.push('}', '');
      continue;
    }
    out.push(`function decode${m.typeName}(r: ByteReader): ${m.typeName} {`);
    const values: string[] = [];
    let bitGroups = 0;
    for (const chunk of chunksOf(m.fields)) {
      if (chunk.kind === 'field') {
        const local = localName(chunk.field.name);
        out.push(`  const ${local} = ${WIRE[chunk.field.type].read};`);
        values.push(local === chunk.field.name ? local : `${chunk.field.name}: ${local}`);
      } else {
        const v = `bits${bitGroups++}`;
        out.push(`  const ${v} = r.u8();`);
        chunk.fields.forEach((f, i) => values.push(`${f.name}: (${v} & ${1 << i}) !== 0`));
      }
    }
    const literal = `  return { id: MethodId.${m.typeName}, ${values.join(', ')} };`;
    if (literal.length <= 120) out.push(literal);
    else out.push('  return {', `    id: MethodId.${m.typeName},`, ...values.map((v) => `    ${v},`), '  };');
    out.push('}', '');
  }
  return out;
}

function emitSizes(methods: MethodModel[]): string[] {
  return [
    ...emitSizeFunction(methods, 'encodedMethodSize', 'sizeOf', [
      '/** Exact encoded size of a method payload (class-id + method-id + arguments). */',
    ]),
    ...emitSizeFunction(methods, 'encodedMethodSizeBound', 'boundOf', [
      '/**',
      ' * An upper bound of encodedMethodSize(m) that does not measure strings (3 bytes per UTF-16',
      ' * unit at most). For writers that encode into spare room and take the size from the end',
      ' * offset encodeMethod returns: on deliveries that saves a native call per string.',
      ' */',
    ]),
  ];
}

function emitSizeFunction(methods: MethodModel[], name: string, measure: 'sizeOf' | 'boundOf', doc: string[]): string[] {
  const out = [...doc, `export function ${name}(m: Method): number {`, '  switch (m.id) {'];
  for (const m of methods) {
    let fixed = 4;
    const variable: string[] = [];
    for (const chunk of chunksOf(m.fields)) {
      if (chunk.kind === 'bits') fixed += 1;
      else {
        const w = WIRE[chunk.field.type];
        if (w.size > 0) fixed += w.size;
        else variable.push(`${w[measure]!}(m.${chunk.field.name})`);
      }
    }
    out.push(`    case MethodId.${m.typeName}:`);
    out.push(`      return ${[String(fixed), ...variable].join(' + ')};`);
  }
  out.push('    default:', '      return unknownMethod(m);', '  }', '}', '');
  return out;
}

function emitEncoders(methods: MethodModel[]): string[] {
  const out = [
    '/**',
    ' * Writes a method payload at offset; the caller has made room for encodedMethodSize(m) bytes.',
    ' * Returns the end offset. A shortstr over 255 bytes throws RangeError (a bug in the caller).',
    ' */',
    'export function encodeMethod(buf: Buffer, offset: number, m: Method): number {',
    '  switch (m.id) {',
  ];
  for (const m of methods) {
    out.push(`    case MethodId.${m.typeName}:`);
    out.push(`      return encode${m.typeName}(buf, offset${m.fields.length > 0 ? ', m' : ''});`);
  }
  out.push('    default:', '      return unknownMethod(m);', '  }', '}', '');
  out.push(
    '/** Unreachable for well-typed callers; a plain-JS caller could pass anything. */',
    'function unknownMethod(m: never): never {',
    '  throw new RangeError(`not an AMQP method id: ${String((m as { id?: unknown } | null)?.id)}`);',
    '}',
    '',
  );
  for (const m of methods) {
    const idWrite = `writeU32(buf, off, MethodId.${m.typeName})`;
    if (m.fields.length === 0) {
      out.push(`function encode${m.typeName}(buf: Buffer, off: number): number {`);
      out.push(`  return ${idWrite};`);
      out.push('}', '');
      continue;
    }
    out.push(`function encode${m.typeName}(buf: Buffer, off: number, m: ${m.typeName}): number {`);
    const steps: string[] = [idWrite];
    for (const chunk of chunksOf(m.fields)) {
      if (chunk.kind === 'field') {
        steps.push(`${WIRE[chunk.field.type].write!}(buf, off, m.${chunk.field.name})`);
      } else {
        const bits = chunk.fields.map((f, i) => `(m.${f.name} ? ${1 << i} : 0)`).join(' | ');
        steps.push(`writeU8(buf, off, ${bits})`);
      }
    }
    steps.forEach((s, i) => out.push(i === steps.length - 1 ? `  return ${s};` : `  off = ${s};`));
    out.push('}', '');
  }
  return out;
}

function emitProperties(spec: Spec, domains: Map<string, string>): string[] {
  const out: string[] = [];
  for (const c of spec.classes) {
    const props = c.properties ?? [];
    if (props.length === 0) continue;
    const className = pascal(c.name);
    // 15 per flags word; only basic has properties in 0-9-1 (14 of them), so one word suffices.
    if (props.length > 15) fail(`${c.name} has ${props.length} properties; only one flags word is supported`);
    const fields = props.map((p) => toField(p, domains, `${c.name} properties`));
    for (const f of fields) if (f.type === 'bit') fail(`${c.name}: bit properties are not supported`);
    const flag = (i: number) => '0x' + (1 << (15 - i)).toString(16).padStart(4, '0');
    const type = `${className}Properties`;

    out.push(`/** Content properties of class ${c.name}; absent ones are left out. */`);
    out.push(`export interface ${type} {`);
    for (const f of fields) out.push(`  ${f.name}?: ${f.type === 'longstr' ? 'Buffer | string' : WIRE[f.type].ts}; // ${fieldComment(f)}`);
    out.push('}', '');

    out.push(
      '/**',
      ` * Decodes ${c.name} content properties; the reader is positioned at the first property-flags word.`,
      ' * Flag bit 15 of the first word is the first property; bit 0 set means another flags word follows.',
      ' */',
      `export function decode${type}(r: ByteReader): ${type} {`,
      '  const flags = r.u16();',
      '  // Continuation words would flag properties this spec does not define. Their values would come',
      '  // after all the known ones, so skipping the words is enough to read the known properties.',
      '  for (let more = flags & 1; more !== 0; ) more = r.u16() & 1;',
      `  const p: ${type} = {};`,
    );
    fields.forEach((f, i) => {
      const read = f.type === 'longstr' ? 'r.longstrBuffer()' : WIRE[f.type].read;
      out.push(`  if ((flags & ${flag(i)}) !== 0) p.${f.name} = ${read};`);
    });
    out.push('  return p;', '}', '');

    out.push(`/** Exact encoded size of the flags word and the present properties. */`);
    out.push(`export function encoded${type}Size(p: ${type}): number {`);
    out.push('  let n = 2;');
    for (const f of fields) {
      const w = WIRE[f.type];
      const add = w.size > 0 ? String(w.size) : `${w.sizeOf!}(p.${f.name})`;
      out.push(`  if (p.${f.name} != null) n += ${add};`);
    }
    out.push('  return n;', '}', '');

    out.push(`/** Writes the flags word and the present properties at off; returns the end offset. */`);
    out.push(`export function encode${type}(buf: Buffer, off: number, p: ${type}): number {`);
    out.push('  const flagsAt = off;', '  let flags = 0;', '  off += 2;');
    fields.forEach((f, i) => {
      out.push(`  if (p.${f.name} != null) {`);
      out.push(`    flags |= ${flag(i)};`);
      out.push(`    off = ${WIRE[f.type].write!}(buf, off, p.${f.name});`);
      out.push('  }');
    });
    out.push('  writeU16(buf, flagsAt, flags);', '  return off;', '}', '');
  }
  return out;
}

// ---------------------------------------------------------------- entry points

/** The TypeScript source of spec.generated.ts for the given spec JSON. Pure. */
export function generateSpec(specJson: unknown, sourceName?: string): string {
  const spec = asSpec(specJson);
  const domains = new Map<string, string>(spec.domains);
  const methods = buildMethods(spec, domains);
  const name = sourceName ?? `amqp-rabbitmq-${spec['major-version']}.${spec['minor-version']}.${spec.revision}.json`;
  const lines = [
    ...emitHeader(spec, name),
    ...emitConstants(spec),
    ...emitIds(spec, methods),
    ...emitInterfaces(methods),
    ...emitDecoders(methods),
    ...emitSizes(methods),
    ...emitEncoders(methods),
    ...emitProperties(spec, domains),
  ];
  while (lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}

/** The nearest directory above `from` holding a package.json: the repo root, from src or dist alike. */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) fail(`no package.json above ${from}`);
  }
}

function main(): void {
  const root = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  const arg = process.argv[2];
  const specPath = arg !== undefined ? resolve(arg) : resolve(root, '..', 'shared', 'amqp', 'amqp-rabbitmq-0.9.1.json');
  const json: unknown = JSON.parse(readFileSync(specPath, 'utf8'));
  const outPath = resolve(root, 'src', 'amqp', 'spec.generated.ts');
  writeFileSync(outPath, generateSpec(json, basename(specPath)));
  console.log(`wrote ${outPath} from ${specPath}`);
}

const invokedAs = process.argv[1];
if (invokedAs !== undefined && import.meta.url === pathToFileURL(resolve(invokedAs)).href) main();
