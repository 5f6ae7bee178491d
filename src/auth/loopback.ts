import { isIPv4 } from 'node:net';

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: where RabbitMQ lets `guest` log in from. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(ipv4)) return ipv4.startsWith('127.');
  return address === '::1';
}
