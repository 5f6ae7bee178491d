/**
 * The AMQP 1.0 message format (part 3 section 3.2): a message is a sequence of described
 * sections, header, delivery-annotations, message-annotations, properties,
 * application-properties, the body (one or more data, one or more amqp-sequence, or one
 * amqp-value) and footer. Streams store every message this way.
 *
 * parseMessage only finds the sections (offsets, no decoding, no copies): a stream read
 * that needs two annotations and the body touches nothing else. The read* helpers decode
 * one section on demand. encodeMessage builds a record from sections in one allocation.
 */
import { decodeError } from './errors.js';
import { FormatCode, SectionCode } from './format-codes.js';
import { readU32, skipValue, truncated, typeName } from './scan.js';
import { Amqp10Reader, encodedSize, writeValue, type Amqp10Value } from './types.js';

export const BodyKind = { None: 0, Data: 1, Sequence: 2, Value: 3 } as const;
export type BodyKind = (typeof BodyKind)[keyof typeof BodyKind];

/**
 * Where the sections of one record are in `buf`. Section fields hold the offset of the
 * section's value (the list or map after its descriptor), or -1 when the section is absent.
 * One instance can be reused for record after record (parseMessage's `into`).
 */
export class MessageLayout {
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  header = -1;
  deliveryAnnotations = -1;
  messageAnnotations = -1;
  properties = -1;
  applicationProperties = -1;
  footer = -1;
  bodyKind: BodyKind = BodyKind.None;
  /** The first body section (its 0x00 descriptor byte) and just past the last one. */
  bodyStart = -1;
  bodyEnd = -1;
  /** How many data sections, and the payload of the first one. */
  dataCount = 0;
  dataStart = -1;
  dataEnd = -1;
}

const EMPTY = Buffer.alloc(0);

/**
 * Finds the sections of the record buf[start, end). Each section's value is skipped by its
 * encoded size, so the cost does not grow with what is inside. Sections may come in any
 * order (as RabbitMQ accepts them); a repeated non-body section replaces the earlier one
 * (as RabbitMQ does). Body sections must be of one kind, contiguous, and an amqp-value
 * comes alone. A record with no section at all is an empty message.
 */
export function parseMessage(buf: Buffer, start = 0, end = buf.length, into = new MessageLayout()): MessageLayout {
  if (!(start >= 0 && start <= end && end <= buf.length)) {
    throw new RangeError(`parseMessage bounds [${start}, ${end}) do not fit a buffer of ${buf.length} bytes`);
  }
  const m = into;
  m.buf = buf;
  m.start = start;
  m.end = end;
  m.header = m.deliveryAnnotations = m.messageAnnotations = m.properties = m.applicationProperties = m.footer = -1;
  m.bodyKind = BodyKind.None as BodyKind; // widened: addBody changes it inside the loop
  m.bodyStart = m.bodyEnd = m.dataStart = m.dataEnd = -1;
  m.dataCount = 0;
  let p = start;
  while (p < end) {
    const sectionAt = p;
    if (buf[p] !== FormatCode.Described) decodeError(`expected a message section, found ${typeName(buf[p]!)}`, p);
    let valueAt: number;
    let code: number;
    const c = buf[p + 1];
    if (c === FormatCode.SmallUlong && p + 3 < end && buf[p + 2]! >= SectionCode.Header && buf[p + 2]! <= SectionCode.Footer) {
      // The usual descriptor, 0x53 + code: no need for the general path.
      code = buf[p + 2]!;
      valueAt = p + 3;
    } else {
      valueAt = sectionValueAt(buf, p + 1, end);
      code = found.section;
    }
    const valueEnd = skipValue(buf, valueAt, end);
    const valueCode = buf[valueAt]!;
    switch (code) {
      case SectionCode.Header:
      case SectionCode.Properties:
        expectList(valueCode, code, valueAt);
        if (code === SectionCode.Header) m.header = valueAt;
        else m.properties = valueAt;
        break;
      case SectionCode.DeliveryAnnotations:
      case SectionCode.MessageAnnotations:
      case SectionCode.ApplicationProperties:
      case SectionCode.Footer:
        expectMap(valueCode, code, valueAt);
        if (code === SectionCode.DeliveryAnnotations) m.deliveryAnnotations = valueAt;
        else if (code === SectionCode.MessageAnnotations) m.messageAnnotations = valueAt;
        else if (code === SectionCode.ApplicationProperties) m.applicationProperties = valueAt;
        else m.footer = valueAt;
        break;
      case SectionCode.Data: {
        if (valueCode !== FormatCode.Vbin8 && valueCode !== FormatCode.Vbin32) {
          decodeError(`data section holds ${typeName(valueCode)}, not a binary`, valueAt);
        }
        addBody(m, BodyKind.Data, sectionAt, valueEnd);
        if (m.dataCount++ === 0) {
          m.dataStart = valueAt + (valueCode === FormatCode.Vbin8 ? 2 : 5);
          m.dataEnd = valueEnd;
        }
        break;
      }
      case SectionCode.AmqpSequence:
        expectList(valueCode, code, valueAt);
        addBody(m, BodyKind.Sequence, sectionAt, valueEnd);
        break;
      case SectionCode.AmqpValue:
        if (m.bodyKind === BodyKind.Value) decodeError('a second amqp-value section', sectionAt);
        addBody(m, BodyKind.Value, sectionAt, valueEnd);
        break;
    }
    p = valueEnd;
  }
  return m;
}

function addBody(m: MessageLayout, kind: BodyKind, sectionAt: number, sectionEnd: number): void {
  if (m.bodyKind === BodyKind.None) {
    m.bodyKind = kind;
    m.bodyStart = sectionAt;
  } else if (m.bodyKind !== kind) {
    decodeError(`${SECTION_NAMES[BODY_CODES[kind]]} section in a message whose body is ${SECTION_NAMES[BODY_CODES[m.bodyKind]]}`, sectionAt);
  } else if (m.bodyEnd !== sectionAt) {
    decodeError('body sections are not contiguous', sectionAt);
  }
  m.bodyEnd = sectionEnd;
}

const BODY_CODES: Record<BodyKind, number> = { 0: 0, 1: SectionCode.Data, 2: SectionCode.AmqpSequence, 3: SectionCode.AmqpValue };

const SECTION_NAMES: Record<number, string> = {
  0x70: 'header',
  0x71: 'delivery-annotations',
  0x72: 'message-annotations',
  0x73: 'properties',
  0x74: 'application-properties',
  0x75: 'data',
  0x76: 'amqp-sequence',
  0x77: 'amqp-value',
  0x78: 'footer',
};

/** Symbolic descriptors, which the spec allows in place of the numeric ones. */
const SECTION_SYMBOLS: Record<string, number> = {
  'amqp:header:list': 0x70,
  'amqp:delivery-annotations:map': 0x71,
  'amqp:message-annotations:map': 0x72,
  'amqp:properties:list': 0x73,
  'amqp:application-properties:map': 0x74,
  'amqp:data:binary': 0x75,
  'amqp:amqp-sequence:list': 0x76,
  'amqp:amqp-value:*': 0x77,
  'amqp:footer:map': 0x78,
};

/** The section code sectionValueAt found last: a second return value without allocating a pair. */
const found = { section: 0 };

/** Where the value of the section whose descriptor is at p (just after the 0x00) starts; its code goes to found.section. */
function sectionValueAt(buf: Buffer, p: number, end: number): number {
  if (p >= end) truncated('a section descriptor', p);
  const code = buf[p]!;
  let section = -1;
  let valueAt: number;
  if (code === FormatCode.SmallUlong) {
    if (p + 2 > end) truncated('a section descriptor', p);
    section = buf[p + 1]!;
    valueAt = p + 2;
  } else if (code === FormatCode.Ulong) {
    if (p + 9 > end) truncated('a section descriptor', p);
    if (readU32(buf, p + 1) === 0) section = readU32(buf, p + 5);
    valueAt = p + 9;
  } else if (code === FormatCode.Sym8 || code === FormatCode.Sym32) {
    valueAt = skipValue(buf, p, end);
    const name = buf.toString('latin1', p + (code === FormatCode.Sym8 ? 2 : 5), valueAt);
    section = SECTION_SYMBOLS[name] ?? -1;
    if (section < 0) decodeError(`unknown section descriptor ${name}`, p);
  } else {
    return decodeError(`a section descriptor must be a ulong or symbol, found ${typeName(code)}`, p);
  }
  if (SECTION_NAMES[section] === undefined) decodeError(`unknown section descriptor 0x${section.toString(16)}`, p);
  if (valueAt >= end) truncated(`the ${SECTION_NAMES[section]} section`, valueAt);
  found.section = section;
  return valueAt;
}

function expectList(valueCode: number, section: number, at: number): void {
  if (valueCode !== FormatCode.List0 && valueCode !== FormatCode.List8 && valueCode !== FormatCode.List32) {
    decodeError(`${SECTION_NAMES[section]} section holds ${typeName(valueCode)}, not a list`, at);
  }
}

function expectMap(valueCode: number, section: number, at: number): void {
  if (valueCode !== FormatCode.Map8 && valueCode !== FormatCode.Map32) {
    decodeError(`${SECTION_NAMES[section]} section holds ${typeName(valueCode)}, not a map`, at);
  }
}

// ---------------------------------------------------------------- reading sections

/**
 * The message body as a 0-9-1 consumer gets it: one data section's payload as a view, several
 * concatenated (a copy, the only one), nothing for no body; for an amqp-sequence or amqp-value
 * body the encoded body sections themselves, up to the end of the record (footer included),
 * as RabbitMQ 4.x hands them over.
 */
export function messageBody(m: MessageLayout): Buffer {
  switch (m.bodyKind) {
    case BodyKind.None:
      return EMPTY;
    case BodyKind.Data:
      return m.dataCount === 1 ? m.buf.subarray(m.dataStart, m.dataEnd) : Buffer.concat(dataSections(m));
    default:
      return m.buf.subarray(m.bodyStart, m.end);
  }
}

/** The payloads of the data sections, as views. */
export function dataSections(m: MessageLayout): Buffer[] {
  const out: Buffer[] = [];
  if (m.bodyKind !== BodyKind.Data) return out;
  for (let p = m.bodyStart; p < m.bodyEnd; ) {
    const valueAt = sectionValueAt(m.buf, p + 1, m.end);
    const valueEnd = skipValue(m.buf, valueAt, m.end);
    out.push(m.buf.subarray(valueAt + (m.buf[valueAt] === FormatCode.Vbin8 ? 2 : 5), valueEnd));
    p = valueEnd;
  }
  return out;
}

/** The decoded value of one section (the list or map), or undefined when it is absent. */
export function readSection(m: MessageLayout, at: number): Amqp10Value | undefined {
  if (at < 0) return undefined;
  return new Amqp10Reader(m.buf, at, m.end).readValue();
}

/** Map entries of an annotations, application-properties or footer section. */
export type MapEntries = [Amqp10Value, Amqp10Value][];

export function readMapSection(m: MessageLayout, at: number): MapEntries | undefined {
  const v = readSection(m, at);
  return v === undefined ? undefined : (v as { entries: MapEntries }).entries;
}

export interface Header {
  durable?: boolean;
  priority?: number;
  /** Milliseconds. */
  ttl?: number;
  firstAcquirer?: boolean;
  deliveryCount?: number;
}

export interface Properties {
  /** ulong, uuid, binary or string. */
  messageId?: Amqp10Value;
  userId?: Buffer;
  to?: string;
  subject?: string;
  replyTo?: string;
  correlationId?: Amqp10Value;
  contentType?: string;
  contentEncoding?: string;
  /** Milliseconds since the epoch. */
  absoluteExpiryTime?: number;
  creationTime?: number;
  groupId?: string;
  groupSequence?: number;
  replyToGroupId?: string;
}

const HEADER_FIELDS = ['durable', 'priority', 'ttl', 'firstAcquirer', 'deliveryCount'] as const;
const HEADER_TYPES = ['boolean', 'ubyte', 'uint', 'boolean', 'uint'] as const;
const PROPERTY_FIELDS = [
  'messageId', 'userId', 'to', 'subject', 'replyTo', 'correlationId', 'contentType', 'contentEncoding',
  'absoluteExpiryTime', 'creationTime', 'groupId', 'groupSequence', 'replyToGroupId',
] as const;
const PROPERTY_TYPES = [
  'any', 'binary', 'string', 'string', 'string', 'any', 'symbol', 'symbol', 'timestamp', 'timestamp', 'string', 'uint', 'string',
] as const;

type FieldType = (typeof HEADER_TYPES)[number] | (typeof PROPERTY_TYPES)[number];

export function readHeader(m: MessageLayout): Header | undefined {
  return readFields(m, m.header, 'header', HEADER_FIELDS, HEADER_TYPES) as Header | undefined;
}

export function readProperties(m: MessageLayout): Properties | undefined {
  return readFields(m, m.properties, 'properties', PROPERTY_FIELDS, PROPERTY_TYPES) as Properties | undefined;
}

/** A list section as an object of its known fields; null fields are left out, extra fields ignored. */
function readFields(m: MessageLayout, at: number, section: string, names: readonly string[], types: readonly FieldType[]): Record<string, unknown> | undefined {
  const list = readSection(m, at) as Amqp10Value[] | undefined;
  if (list === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < names.length && i < list.length; i++) {
    const v = list[i]!;
    if (v === null) continue;
    out[names[i]!] = fieldValue(v, types[i]!, `${section} field ${names[i]}`, at);
  }
  return out;
}

function fieldValue(v: Amqp10Value, type: FieldType, what: string, at: number): unknown {
  switch (type) {
    case 'any':
      return v;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'binary':
      if (Buffer.isBuffer(v)) return v;
      break;
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'symbol':
    case 'ubyte':
    case 'uint':
    case 'timestamp':
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && v.type === type) return v.value;
      break;
  }
  return decodeError(`${what} must be a ${type}`, at);
}

// ---------------------------------------------------------------- encoding

export type Body = { data: Buffer[] } | { sequence: Amqp10Value[][] } | { value: Amqp10Value };

export interface Message {
  header?: Header;
  deliveryAnnotations?: MapEntries;
  messageAnnotations?: MapEntries;
  properties?: Properties;
  applicationProperties?: MapEntries;
  body: Body;
  footer?: MapEntries;
}

/**
 * Encodes a message into one buffer, its size computed first. Lists leave out trailing
 * absent fields (the spec's compact form); absent sections are left out; body binaries are
 * copied once, into the record.
 */
export function encodeMessage(msg: Message): Buffer {
  const sections: Amqp10Value[] = [];
  const described = (code: number, value: Amqp10Value): Amqp10Value => ({ type: 'described', descriptor: { type: 'ulong', value: code }, value });
  const map = (entries: MapEntries): Amqp10Value => ({ type: 'map', entries });
  if (msg.header) sections.push(described(SectionCode.Header, fieldList(msg.header, HEADER_FIELDS, HEADER_TYPES)));
  if (msg.deliveryAnnotations) sections.push(described(SectionCode.DeliveryAnnotations, map(msg.deliveryAnnotations)));
  if (msg.messageAnnotations) sections.push(described(SectionCode.MessageAnnotations, map(msg.messageAnnotations)));
  if (msg.properties) sections.push(described(SectionCode.Properties, fieldList(msg.properties, PROPERTY_FIELDS, PROPERTY_TYPES)));
  if (msg.applicationProperties) sections.push(described(SectionCode.ApplicationProperties, map(msg.applicationProperties)));
  const body = msg.body;
  if ('data' in body) for (const d of body.data) sections.push(described(SectionCode.Data, d));
  else if ('sequence' in body) for (const s of body.sequence) sections.push(described(SectionCode.AmqpSequence, s));
  else sections.push(described(SectionCode.AmqpValue, body.value));
  if (msg.footer) sections.push(described(SectionCode.Footer, map(msg.footer)));
  let size = 0;
  for (const s of sections) size += encodedSize(s);
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (const s of sections) off = writeValue(buf, off, s);
  if (off !== size) throw new Error(`encodeMessage size mismatch: ${off} != ${size}`);
  return buf;
}

function fieldList(fields: object, names: readonly string[], types: readonly FieldType[]): Amqp10Value[] {
  const record = fields as Record<string, unknown>;
  let last = -1;
  for (let i = 0; i < names.length; i++) if (record[names[i]!] !== undefined) last = i;
  const list: Amqp10Value[] = [];
  for (let i = 0; i <= last; i++) {
    const v = record[names[i]!];
    list.push(v === undefined ? null : toFieldValue(v, types[i]!));
  }
  return list;
}

function toFieldValue(v: unknown, type: FieldType): Amqp10Value {
  switch (type) {
    case 'any':
    case 'boolean':
    case 'binary':
    case 'string':
      return v as Amqp10Value;
    case 'symbol':
      return { type: 'symbol', value: v as string };
    case 'ubyte':
    case 'uint':
    case 'timestamp':
      return { type, value: v as number };
  }
}
