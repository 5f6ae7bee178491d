/**
 * AMQP 1.0 -> 0-9-1: what a 0-9-1 consumer of a stream receives for a record, as RabbitMQ
 * 3.10 delivers it (rabbit_stream_queue:binary_to_msg + rabbit_msg_record:to_amqp091), for
 * records from 0-9-1 publishers and from stream clients alike. The content header comes
 * out as the raw payload the frame writer sends, sized first and written once; the record
 * is not decoded into objects, and string bytes are copied as they are.
 *
 * Where RabbitMQ 3.10 has no answer (it closes the consumer's connection with 541, and does
 * so again on every new attempt, so the stream cannot be read over 0-9-1), we follow
 * RabbitMQ 4.x, or leave out what cannot be converted. README.md has the whole table.
 */
import { PropertyFlag } from '../amqp/content.js';
import { copyInto, put32 } from './bytes.js';
import { FormatCode } from './format-codes.js';
import { BodyKind, messageBody, MessageLayout, parseMessage } from './message.js';
import { CompoundCursor, openCompound, readU32, skipValue } from './scan.js';
import { fieldSize, found, isBinary, stringLength, writeField, writeI64 } from './to-field-value.js';

/**
 * A header the delivery adds, such as x-stream-offset. RabbitMQ's rule for annotations that
 * become headers: integers go as long ('l'), strings as longstr, booleans as bool.
 */
export interface ExtraHeader {
  name: string;
  value: number | bigint | string | boolean;
}

export interface Amqp091Delivery {
  exchange: string;
  routingKey: string;
  /** The content header payload (class 60, weight 0, body-size, flags, properties). */
  header: Buffer;
  /** A view into the record for one data section; a copy only when several are joined. */
  body: Buffer;
}

/**
 * Converts stream records for 0-9-1 consumers in two steps, so that the content header can
 * be written straight into the caller's buffer (a frame writer's slab): read() takes in a
 * record and returns the size of its content header, write() writes that header. The
 * instance keeps what read() found (no allocation per record beyond the exchange and
 * routing key strings and the body view); call write() before the next read().
 */
export class Amqp091HeaderWriter {
  /** The deliver's exchange: the x-exchange annotation, else "". */
  exchange = '';
  /** The deliver's routing key: the x-routing-key annotation, else the stream's name. */
  routingKey = '';
  /** The message body (see messageBody). */
  body: Buffer = EMPTY;

  private readonly layout = new MessageLayout();
  private readonly cursor = new CompoundCursor();
  // Shortstr properties in slot order: (buffer, start, length), length -1 when absent.
  private readonly propBuf: Buffer[] = new Array<Buffer>(SLOTS).fill(EMPTY);
  private readonly propAt = new Int32Array(SLOTS);
  private readonly propLen = new Int32Array(SLOTS);
  private deliveryMode = -1;
  private priority = -1;
  private hasTimestamp = false;
  private timestampSeconds = 0;
  private timestampBig: bigint | undefined = undefined;
  // The headers: name (buffer, start, length) and value (kind, buffer, position, length),
  // its encoded size (type letter + value), and the sorted order.
  private capacity = 32;
  private keyBuf: Buffer[] = [];
  private keyAt = new Int32Array(this.capacity);
  private keyLen = new Int32Array(this.capacity);
  private kind = new Int32Array(this.capacity);
  private valBuf: Buffer[] = [];
  private valAt = new Int32Array(this.capacity);
  private valLen = new Int32Array(this.capacity);
  private valSize = new Int32Array(this.capacity);
  private order = new Int32Array(this.capacity);
  private entryCount = 0;
  /** The values of the extra headers, by index; extraCount are in use. */
  private readonly extras: (number | bigint | string | boolean)[] = [];
  private extraCount = 0;
  private readonly extraNames = new Map<string, Buffer>();
  private tableSize = 0;
  private flags = 0;
  private size = -1;

  /**
   * Takes in the record buf[start, end) of the stream (queue) `queueName` and returns the size
   * of the content header to deliver. `extraHeaders` are added as RabbitMQ's
   * rabbit_basic:add_header does: each replaces the first header of its name or is appended;
   * then all headers are sorted by name (a stable sort by bytes). A 0-9-1 consumer of a
   * RabbitMQ stream always sees them sorted, since the offset is always added. Throws
   * Amqp10DecodeError for a malformed record.
   */
  read(buf: Buffer, start: number, end: number, queueName: string, extraHeaders?: readonly ExtraHeader[]): number {
    const m = parseMessage(buf, start, end, this.layout);
    const propLen = this.propLen;
    for (let s = 0; s < SLOTS; s++) propLen[s] = -1;
    this.deliveryMode = this.priority = -1;
    this.hasTimestamp = false;
    this.timestampBig = undefined;
    this.entryCount = 0;
    this.extraCount = 0;
    this.exchange = '';
    this.routingKey = queueName;
    if (m.messageAnnotations >= 0) this.readAnnotations(buf, m.messageAnnotations, end);
    if (m.header >= 0) this.readHeaderSection(buf, m.header, end);
    if (m.properties >= 0) this.readPropertiesSection(buf, m.properties, end);
    if (m.applicationProperties >= 0) this.readApplicationProperties(buf, m.applicationProperties, end);
    if (extraHeaders !== undefined) for (let i = 0; i < extraHeaders.length; i++) this.addExtra(extraHeaders[i]!);
    this.body = messageBody(m);
    // An AMQP-encoded body (RabbitMQ 4.x): the 0-9-1 type says so.
    if (m.bodyKind === BodyKind.Sequence || m.bodyKind === BodyKind.Value) this.setProperty(P_TYPE, AMQP_1_0_TYPE, 0, AMQP_1_0_TYPE.length);
    this.sortEntries();
    return (this.size = this.measure());
  }

  /** Writes the content header read() was last called for at out[offset, offset + size); returns the end offset. */
  write(out: Buffer, offset: number): number {
    if (this.size < 0) throw new Error('Amqp091HeaderWriter.write without a read() before it');
    const bodySize = this.body.length;
    out[offset] = 0;
    out[offset + 1] = CLASS_BASIC;
    out[offset + 2] = out[offset + 3] = 0; // weight
    put32(out, offset + 4, Math.floor(bodySize / 0x1_0000_0000));
    put32(out, offset + 8, bodySize >>> 0);
    out[offset + 12] = this.flags >>> 8;
    out[offset + 13] = this.flags;
    let p = offset + 14;
    p = this.shortstr(out, p, P_CONTENT_TYPE);
    p = this.shortstr(out, p, P_CONTENT_ENCODING);
    if (this.entryCount > 0) {
      p = put32(out, p, this.tableSize);
      for (let i = 0; i < this.entryCount; i++) p = this.writeEntry(out, p, this.order[i]!);
    }
    if (this.deliveryMode >= 0) out[p++] = this.deliveryMode;
    if (this.priority >= 0) out[p++] = this.priority;
    p = this.shortstr(out, p, P_CORRELATION_ID);
    p = this.shortstr(out, p, P_REPLY_TO);
    p = this.shortstr(out, p, P_EXPIRATION);
    p = this.shortstr(out, p, P_MESSAGE_ID);
    if (this.hasTimestamp) {
      if (this.timestampBig !== undefined) out.writeBigUInt64BE(BigInt.asUintN(64, this.timestampBig), p);
      else writeI64(out, p, this.timestampSeconds);
      p += 8;
    }
    p = this.shortstr(out, p, P_TYPE);
    p = this.shortstr(out, p, P_USER_ID);
    p = this.shortstr(out, p, P_APP_ID);
    if (p - offset !== this.size) throw new Error(`Amqp091HeaderWriter size mismatch: wrote ${p - offset} of ${this.size}`);
    this.size = -1;
    return p;
  }

  // ---------------------------------------------------------------- the record's sections

  /**
   * message-annotations: x-exchange and x-routing-key (utf8, or symbol), x-basic-priority,
   * x-basic-delivery-mode, x-basic-expiration; the first of each counts. Other annotations do
   * not become headers in 3.10 (4.x turns x- ones into headers). Keys that are not symbols are
   * skipped (3.10 crashes on them, and rabbitmq-stream-js-client writes them as strings).
   */
  private readAnnotations(buf: Buffer, at: number, end: number): void {
    const c = this.cursor;
    openCompound(buf, at, end, 'map', c);
    let seen = 0;
    for (let i = 0, p = c.pos; i < c.count; i += 2) {
      const keyPos = p;
      const valuePos = skipValue(buf, keyPos, c.end);
      p = skipValue(buf, valuePos, c.end);
      if (buf[keyPos] !== FormatCode.Sym8 && buf[keyPos] !== FormatCode.Sym32) continue;
      const kl = stringLength(buf, keyPos);
      const ka = found.at;
      // The five keys all differ in length: one comparison each at most.
      switch (kl) {
        case 10:
          if ((seen & 1) === 0 && bytesEqual(buf, ka, kl, A_EXCHANGE)) {
            seen |= 1;
            const n = textLength(buf, valuePos);
            if (n >= 0) this.exchange = recentString(buf, found.at, n);
          }
          break;
        case 13:
          if ((seen & 2) === 0 && bytesEqual(buf, ka, kl, A_ROUTING_KEY)) {
            seen |= 2;
            const n = textLength(buf, valuePos);
            if (n >= 0) this.routingKey = recentString(buf, found.at, n);
          }
          break;
        case 16:
          if ((seen & 4) === 0 && bytesEqual(buf, ka, kl, A_PRIORITY)) {
            seen |= 4;
            this.priority = octetValue(buf, valuePos);
          }
          break;
        case 21:
          if ((seen & 8) === 0 && bytesEqual(buf, ka, kl, A_DELIVERY_MODE)) {
            seen |= 8;
            this.deliveryMode = octetValue(buf, valuePos);
          }
          break;
        case 18:
          if ((seen & 16) === 0 && bytesEqual(buf, ka, kl, A_EXPIRATION)) {
            seen |= 16;
            const n = stringLength(buf, valuePos);
            if (n >= 0) this.setProperty(P_EXPIRATION, buf, found.at, n);
          }
          break;
      }
    }
  }

  /**
   * The header section (RabbitMQ 4.x; 3.10 cannot read such records): durable gives
   * delivery-mode 2 (true) or 1 (false); priority and ttl (as the expiration string) win over
   * the x-basic- annotations, which only count where the header leaves a field unset.
   */
  private readHeaderSection(buf: Buffer, at: number, end: number): void {
    const c = this.cursor;
    openCompound(buf, at, end, 'list', c);
    let p = c.pos;
    const listEnd = c.end;
    const count = c.count;
    for (let field = 0; field < count && field < 3; field++) {
      const next = skipValue(buf, p, listEnd);
      const code = buf[p];
      if (field === 0 && (code === FormatCode.True || code === FormatCode.False || code === FormatCode.Boolean)) {
        this.deliveryMode = code === FormatCode.True || (code === FormatCode.Boolean && buf[p + 1] !== 0) ? 2 : 1;
      } else if (field === 1 && code !== FormatCode.Null) {
        const v = octetValue(buf, p);
        if (v >= 0) this.priority = v;
      } else if (field === 2 && code !== FormatCode.Null) {
        const ttl = unsignedValue(buf, p);
        if (ttl >= 0) {
          const s = Buffer.from(String(ttl), 'latin1');
          this.setProperty(P_EXPIRATION, s, 0, s.length);
        }
      }
      p = next;
    }
  }

  /**
   * properties: message-id (0), user-id (1), reply-to (4), correlation-id (5), content-type
   * (6), content-encoding (7), creation-time (9). to, subject, absolute-expiry-time and the
   * group fields have no 0-9-1 counterpart in 3.10.
   */
  private readPropertiesSection(buf: Buffer, at: number, end: number): void {
    const c = this.cursor;
    openCompound(buf, at, end, 'list', c);
    let p = c.pos;
    const listEnd = c.end;
    const count = c.count;
    for (let field = 0; field < count && field < 10; field++) {
      if (p < listEnd && buf[p] === FormatCode.Null) {
        p++; // most fields of a RabbitMQ-written list are null
        continue;
      }
      const next = skipValue(buf, p, listEnd);
      {
        switch (field) {
          case 0:
            this.messageId(buf, p, P_MESSAGE_ID, H_MESSAGE_ID_TYPE, H_MESSAGE_ID);
            break;
          case 1:
            this.stringProperty(P_USER_ID, buf, p);
            break;
          case 4:
            this.stringProperty(P_REPLY_TO, buf, p);
            break;
          case 5:
            this.messageId(buf, p, P_CORRELATION_ID, H_CORRELATION_ID_TYPE, H_CORRELATION_ID);
            break;
          case 6:
            this.stringProperty(P_CONTENT_TYPE, buf, p);
            break;
          case 7:
            this.stringProperty(P_CONTENT_ENCODING, buf, p);
            break;
          case 9:
            this.creationTime(buf, p);
            break;
        }
      }
      p = next;
    }
  }

  /**
   * message-id and correlation-id, as RabbitMQ 3.10 maps them: a string as is; a uuid in its
   * 8-4-4-4-12 form and a ulong in decimal, with an x-...-id-type header saying which; a
   * binary in base64, type "binary". A string or base64 too long for a shortstr goes whole
   * (the raw bytes, not base64) into an x-message-id / x-correlation-id longstr header instead.
   * (3.10 keeps a 256-byte id and then fails to encode it; we move it to the header.)
   */
  private messageId(buf: Buffer, at: number, slot: number, typeHeader: Buffer, longHeader: Buffer): void {
    const code = buf[at]!;
    const n = stringLength(buf, at);
    if (n >= 0 && !isBinary(buf, at)) {
      if (n <= 255) this.setProperty(slot, buf, found.at, n);
      else this.addEntry(longHeader, 0, longHeader.length, K_LONGSTR, buf, found.at, n, 5 + n);
      return;
    }
    let text: string;
    let type: Buffer;
    if (n >= 0) {
      text = buf.toString('base64', found.at, found.at + n);
      if (text.length > 255) {
        this.addEntry(longHeader, 0, longHeader.length, K_LONGSTR, buf, found.at, n, 5 + n);
        return;
      }
      type = V_BINARY;
    } else if (code === FormatCode.Uuid) {
      text = uuidString(buf, at + 1);
      type = V_UUID;
    } else if (code === FormatCode.Ulong0 || code === FormatCode.SmallUlong || code === FormatCode.Ulong) {
      text = code === FormatCode.Ulong0 ? '0' : code === FormatCode.SmallUlong ? String(buf[at + 1]) : buf.readBigUInt64BE(at + 1).toString();
      type = V_ULONG;
    } else {
      return; // not a message-id type: 3.10 fails on it; left out
    }
    this.addEntry(typeHeader, 0, typeHeader.length, K_LONGSTR, type, 0, type.length, 5 + type.length);
    const bytes = Buffer.from(text, 'latin1');
    this.setProperty(slot, bytes, 0, bytes.length);
  }

  /** creation-time (ms) as the 0-9-1 timestamp (s), truncated towards zero as Erlang's div does. */
  private creationTime(buf: Buffer, at: number): void {
    if (buf[at] !== FormatCode.Timestamp) return;
    const ms = buf.readInt32BE(at + 1) * 0x1_0000_0000 + readU32(buf, at + 5);
    this.hasTimestamp = true;
    if (Number.isSafeInteger(ms)) this.timestampSeconds = Math.trunc(ms / 1000);
    else this.timestampBig = buf.readBigInt64BE(at + 1) / 1000n;
  }

  /**
   * application-properties become headers, in their order (sorted later): string keys of up to
   * 255 bytes. x-basic-type and x-basic-app-id (the first of each, utf8 keys only, as
   * RabbitMQ's keytake) become the type and app-id properties instead.
   */
  private readApplicationProperties(buf: Buffer, at: number, end: number): void {
    const c = this.cursor;
    openCompound(buf, at, end, 'map', c);
    const count = c.count;
    const mapEnd = c.end;
    let typeTaken = false;
    let appIdTaken = false;
    for (let i = 0, p = c.pos; i < count; i += 2) {
      const keyPos = p;
      const valuePos = skipValue(buf, keyPos, mapEnd);
      p = skipValue(buf, valuePos, mapEnd);
      const kl = stringLength(buf, keyPos);
      const ka = found.at;
      if (kl < 0 || kl > 255 || isBinary(buf, keyPos)) continue;
      const isUtf8 = buf[keyPos] === FormatCode.Str8 || buf[keyPos] === FormatCode.Str32;
      if (isUtf8 && !typeTaken && bytesEqual(buf, ka, kl, AP_TYPE)) {
        typeTaken = true;
        this.stringProperty(P_TYPE, buf, valuePos);
        continue;
      }
      if (isUtf8 && !appIdTaken && bytesEqual(buf, ka, kl, AP_APP_ID)) {
        appIdTaken = true;
        this.stringProperty(P_APP_ID, buf, valuePos);
        continue;
      }
      const size = fieldSize(buf, valuePos, mapEnd);
      if (size >= 0) this.addEntry(buf, ka, kl, K_RECORD, buf, valuePos, 0, size);
    }
  }

  // ---------------------------------------------------------------- properties and headers

  /** A string-like value at `at` as a shortstr property (left out if it is no string). */
  private stringProperty(slot: number, buf: Buffer, at: number): void {
    const n = stringLength(buf, at);
    if (n >= 0) this.setProperty(slot, buf, found.at, n);
  }

  /** A shortstr property from src[at, at + len); one longer than 255 bytes cannot go in 0-9-1 and is left out. */
  private setProperty(slot: number, src: Buffer, at: number, len: number): void {
    if (len > 255) return;
    this.propBuf[slot] = src;
    this.propAt[slot] = at;
    this.propLen[slot] = len;
  }

  private addEntry(kb: Buffer, ka: number, kl: number, kind: number, vb: Buffer, va: number, vl: number, size: number): void {
    if (this.entryCount === this.capacity) this.grow();
    const i = this.entryCount++;
    this.keyBuf[i] = kb;
    this.keyAt[i] = ka;
    this.keyLen[i] = kl;
    this.kind[i] = kind;
    this.valBuf[i] = vb;
    this.valAt[i] = va;
    this.valLen[i] = vl;
    this.valSize[i] = size;
  }

  private grow(): void {
    const capacity = (this.capacity *= 2);
    const more = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.keyAt = more(this.keyAt);
    this.keyLen = more(this.keyLen);
    this.kind = more(this.kind);
    this.valAt = more(this.valAt);
    this.valLen = more(this.valLen);
    this.valSize = more(this.valSize);
    this.order = more(this.order);
  }

  /** rabbit_misc:set_table_value: replace the first header of that name, else append. */
  private addExtra(h: ExtraHeader): void {
    let name = this.extraNames.get(h.name);
    if (name === undefined) {
      name = Buffer.from(h.name, 'utf8');
      if (name.length > 255) throw new RangeError(`header name of ${name.length} bytes`);
      if (this.extraNames.size < 64) this.extraNames.set(h.name, name);
    }
    const v = h.value;
    let size: number;
    if (typeof v === 'string') size = 5 + Buffer.byteLength(v, 'utf8');
    else if (typeof v === 'boolean') size = 2;
    else if (typeof v === 'bigint' || Number.isSafeInteger(v)) size = 9;
    else throw new RangeError(`extra header ${h.name}: ${v} is not an integer`);
    const index = this.extraCount++;
    this.extras[index] = v;
    for (let i = 0; i < this.entryCount; i++) {
      if (this.keyEquals(i, name)) {
        this.keyBuf[i] = name;
        this.keyAt[i] = 0;
        this.kind[i] = K_EXTRA;
        this.valAt[i] = index;
        this.valSize[i] = size;
        return;
      }
    }
    this.addEntry(name, 0, name.length, K_EXTRA, name, index, 0, size);
  }

  private keyEquals(i: number, name: Buffer): boolean {
    return bytesEqual(this.keyBuf[i]!, this.keyAt[i]!, this.keyLen[i]!, name);
  }

  /** Stable insertion sort of the entries by name bytes (Erlang's lists:keysort on binaries). */
  private sortEntries(): void {
    const order = this.order;
    const n = this.entryCount;
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 1; i < n; i++) {
      const e = order[i]!;
      let j = i - 1;
      while (j >= 0 && this.compareKeys(order[j]!, e) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = e;
    }
  }

  private compareKeys(a: number, b: number): number {
    const ab = this.keyBuf[a]!;
    const aa = this.keyAt[a]!;
    const al = this.keyLen[a]!;
    const bb = this.keyBuf[b]!;
    const ba = this.keyAt[b]!;
    const bl = this.keyLen[b]!;
    const n = Math.min(al, bl);
    for (let i = 0; i < n; i++) {
      const d = ab[aa + i]! - bb[ba + i]!;
      if (d !== 0) return d;
    }
    return al - bl;
  }

  // ---------------------------------------------------------------- writing

  private measure(): number {
    let size = 14; // class-id, weight, body-size, flags
    let flags = 0;
    for (let s = 0; s < SLOTS; s++) {
      const n = this.propLen[s]!;
      if (n >= 0) {
        size += 1 + n;
        flags |= SLOT_FLAGS[s]!;
      }
    }
    let tableSize = 0;
    for (let i = 0; i < this.entryCount; i++) tableSize += 1 + this.keyLen[i]! + this.valSize[i]!;
    this.tableSize = tableSize;
    if (this.entryCount > 0) (size += 4 + tableSize), (flags |= F_HEADERS);
    if (this.deliveryMode >= 0) (size += 1), (flags |= F_DELIVERY_MODE);
    if (this.priority >= 0) (size += 1), (flags |= F_PRIORITY);
    if (this.hasTimestamp) (size += 8), (flags |= F_TIMESTAMP);
    this.flags = flags;
    return size;
  }

  private shortstr(out: Buffer, p: number, slot: number): number {
    const n = this.propLen[slot]!;
    if (n < 0) return p;
    out[p] = n;
    return copyInto(out, p + 1, this.propBuf[slot]!, this.propAt[slot]!, n);
  }

  private writeEntry(out: Buffer, p: number, i: number): number {
    const n = this.keyLen[i]!;
    out[p] = n;
    p = copyInto(out, p + 1, this.keyBuf[i]!, this.keyAt[i]!, n);
    switch (this.kind[i]) {
      case K_LONGSTR: {
        out[p] = 0x53; // S
        const len = this.valLen[i]!;
        put32(out, p + 1, len);
        return copyInto(out, p + 5, this.valBuf[i]!, this.valAt[i]!, len);
      }
      case K_EXTRA:
        return writeExtra(out, p, this.extras[this.valAt[i]!]!);
      default:
        return writeField(out, p, this.valBuf[i]!, this.valAt[i]!);
    }
  }
}

const EMPTY = Buffer.alloc(0);
const CLASS_BASIC = 60;

/** The type RabbitMQ 4.x gives a message whose body is AMQP-encoded sections (amqp-value, amqp-sequence). */
const AMQP_1_0_TYPE = Buffer.from('amqp-1.0');

// Shortstr property slots, in 0-9-1 order, and their flag bits.
const P_CONTENT_TYPE = 0;
const P_CONTENT_ENCODING = 1;
const P_CORRELATION_ID = 2;
const P_REPLY_TO = 3;
const P_EXPIRATION = 4;
const P_MESSAGE_ID = 5;
const P_TYPE = 6;
const P_USER_ID = 7;
const P_APP_ID = 8;
const SLOTS = 9;
const SLOT_FLAGS = [
  PropertyFlag.ContentType,
  PropertyFlag.ContentEncoding,
  PropertyFlag.CorrelationId,
  PropertyFlag.ReplyTo,
  PropertyFlag.Expiration,
  PropertyFlag.MessageId,
  PropertyFlag.Type,
  PropertyFlag.UserId,
  PropertyFlag.AppId,
];
const F_HEADERS = PropertyFlag.Headers;
const F_DELIVERY_MODE = PropertyFlag.DeliveryMode;
const F_PRIORITY = PropertyFlag.Priority;
const F_TIMESTAMP = PropertyFlag.Timestamp;

// Where a header's value comes from.
const K_RECORD = 0; // an AMQP 1.0 value in the record at valAt, converted
const K_LONGSTR = 1; // longstr bytes valBuf[valAt, valAt + valLen)
const K_EXTRA = 2; // an extraHeaders value: valAt indexes `extras`

const A_EXCHANGE = Buffer.from('x-exchange');
const A_ROUTING_KEY = Buffer.from('x-routing-key');
const A_PRIORITY = Buffer.from('x-basic-priority');
const A_DELIVERY_MODE = Buffer.from('x-basic-delivery-mode');
const A_EXPIRATION = Buffer.from('x-basic-expiration');
const AP_TYPE = Buffer.from('x-basic-type');
const AP_APP_ID = Buffer.from('x-basic-app-id');
const H_MESSAGE_ID_TYPE = Buffer.from('x-message-id-type');
const H_MESSAGE_ID = Buffer.from('x-message-id');
const H_CORRELATION_ID_TYPE = Buffer.from('x-correlation-id-type');
const H_CORRELATION_ID = Buffer.from('x-correlation-id');
const V_UUID = Buffer.from('uuid');
const V_ULONG = Buffer.from('ulong');
const V_BINARY = Buffer.from('binary');

/** A utf8 or symbol value that fits a shortstr (exchange, routing key): its length, bytes at found.at; else -1. */
function textLength(buf: Buffer, at: number): number {
  const n = stringLength(buf, at);
  return n >= 0 && n <= 255 && !isBinary(buf, at) ? n : -1;
}

/** An integer value that fits an octet (priority, delivery-mode), else -1. */
function octetValue(buf: Buffer, at: number): number {
  let v: number;
  switch (buf[at]) {
    case FormatCode.Ubyte:
    case FormatCode.SmallUint:
    case FormatCode.SmallUlong:
      return buf[at + 1]!;
    case FormatCode.Uint0:
    case FormatCode.Ulong0:
      return 0;
    case FormatCode.Byte:
    case FormatCode.SmallInt:
    case FormatCode.SmallLong:
      v = (buf[at + 1]! << 24) >> 24;
      break;
    case FormatCode.Ushort:
      v = buf.readUInt16BE(at + 1);
      break;
    case FormatCode.Short:
      v = buf.readInt16BE(at + 1);
      break;
    case FormatCode.Uint:
    case FormatCode.Int:
      v = buf.readInt32BE(at + 1);
      break;
    default:
      return -1;
  }
  return v >= 0 && v <= 255 ? v : -1;
}

/** A uint value (the header's ttl), else -1. */
function unsignedValue(buf: Buffer, at: number): number {
  switch (buf[at]) {
    case FormatCode.Uint0:
      return 0;
    case FormatCode.SmallUint:
    case FormatCode.Ubyte:
      return buf[at + 1]!;
    case FormatCode.Uint:
      return readU32(buf, at + 1);
    default:
      return -1;
  }
}

function bytesEqual(buf: Buffer, at: number, len: number, constant: Buffer): boolean {
  if (len !== constant.length) return false;
  for (let i = 0; i < len; i++) if (buf[at + i] !== constant[i]) return false;
  return true;
}

function uuidString(buf: Buffer, at: number): string {
  const h = buf.toString('hex', at, at + 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function writeExtra(out: Buffer, p: number, v: number | bigint | string | boolean): number {
  if (typeof v === 'string') {
    out[p] = 0x53; // S
    const n = out.write(v, p + 5, 'utf8');
    put32(out, p + 1, n);
    return p + 5 + n;
  }
  if (typeof v === 'boolean') {
    out[p] = 0x74; // t
    out[p + 1] = v ? 1 : 0;
    return p + 2;
  }
  out[p] = 0x6c; // l
  if (typeof v === 'bigint') {
    out.writeBigInt64BE(BigInt.asIntN(64, v), p + 1);
    return p + 9;
  }
  return writeI64(out, p + 1, v);
}

/**
 * Exchange names and routing keys repeat from one record to the next: a recently decoded
 * ASCII string with the same bytes is returned as is (as ByteReader#shortstr does).
 */
const RECENT_SLOTS = 256;
const recent: (string | undefined)[] = new Array(RECENT_SLOTS);

function recentString(buf: Buffer, at: number, len: number): string {
  if (len === 0) return '';
  const slot = (len * 31 + buf[at]! * 7 + buf[at + len - 1]! + buf[at + (len >> 1)]!) & (RECENT_SLOTS - 1);
  const cached = recent[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[at + i]) i++;
    if (i === len) return cached;
  }
  const decoded = buf.toString('utf8', at, at + len);
  if (decoded.length === len) recent[slot] = decoded; // ASCII only: those compare char for byte
  return decoded;
}

const shared = new Amqp091HeaderWriter();

/**
 * The 0-9-1 delivery RabbitMQ 3.10 makes of the stream record buf[start, end) read from the
 * stream `queueName`, its content header in a buffer of its own (see Amqp091HeaderWriter).
 */
export function amqp10ToAmqp091(buf: Buffer, start: number, end: number, queueName: string, extraHeaders?: readonly ExtraHeader[]): Amqp091Delivery {
  const header = Buffer.allocUnsafe(shared.read(buf, start, end, queueName, extraHeaders));
  shared.write(header, 0);
  const d = { exchange: shared.exchange, routingKey: shared.routingKey, header, body: shared.body };
  shared.body = EMPTY;
  return d;
}
