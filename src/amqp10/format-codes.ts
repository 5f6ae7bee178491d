/**
 * AMQP 1.0 format codes (type constructors) and the descriptor codes of the message
 * sections (AMQP 1.0 part 1 section 1.6, part 3 section 3.2).
 */
export const FormatCode = {
  Described: 0x00,
  Null: 0x40,
  True: 0x41,
  False: 0x42,
  Uint0: 0x43,
  Ulong0: 0x44,
  List0: 0x45,
  Ubyte: 0x50,
  Byte: 0x51,
  SmallUint: 0x52,
  SmallUlong: 0x53,
  SmallInt: 0x54,
  SmallLong: 0x55,
  Boolean: 0x56,
  Ushort: 0x60,
  Short: 0x61,
  Uint: 0x70,
  Int: 0x71,
  Float: 0x72,
  Char: 0x73,
  Decimal32: 0x74,
  Ulong: 0x80,
  Long: 0x81,
  Double: 0x82,
  Timestamp: 0x83,
  Decimal64: 0x84,
  Decimal128: 0x94,
  Uuid: 0x98,
  Vbin8: 0xa0,
  Str8: 0xa1,
  Sym8: 0xa3,
  Vbin32: 0xb0,
  Str32: 0xb1,
  Sym32: 0xb3,
  List8: 0xc0,
  Map8: 0xc1,
  List32: 0xd0,
  Map32: 0xd1,
  Array8: 0xe0,
  Array32: 0xf0,
} as const;

/** The ulong descriptors of the message sections, in the order a message carries them. */
export const SectionCode = {
  Header: 0x70,
  DeliveryAnnotations: 0x71,
  MessageAnnotations: 0x72,
  Properties: 0x73,
  ApplicationProperties: 0x74,
  Data: 0x75,
  AmqpSequence: 0x76,
  AmqpValue: 0x77,
  Footer: 0x78,
} as const;

/** Value width in bytes of each fixed-width constructor; -1 for variable-width and compound ones. */
const FIXED_WIDTH = new Int8Array(256).fill(-1);
for (const code of [0x40, 0x41, 0x42, 0x43, 0x44, 0x45]) FIXED_WIDTH[code] = 0;
for (const code of [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56]) FIXED_WIDTH[code] = 1;
for (const code of [0x60, 0x61]) FIXED_WIDTH[code] = 2;
for (const code of [0x70, 0x71, 0x72, 0x73, 0x74]) FIXED_WIDTH[code] = 4;
for (const code of [0x80, 0x81, 0x82, 0x83, 0x84]) FIXED_WIDTH[code] = 8;
for (const code of [0x94, 0x98]) FIXED_WIDTH[code] = 16;

/** Fixed width of a constructor's value in bytes, or -1 for variable-width and compound types. */
export function fixedWidth(code: number): number {
  return FIXED_WIDTH[code]!;
}
