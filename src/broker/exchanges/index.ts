import { commandInvalid } from '../errors.js';
import type { Exchange, ExchangeOptions } from '../exchange.js';
import { DirectExchange } from './direct.js';
import { FanoutExchange } from './fanout.js';
import { HeadersExchange } from './headers.js';
import { TopicExchange } from './topic.js';

const exchangeTypes = {
  direct: DirectExchange,
  fanout: FanoutExchange,
  topic: TopicExchange,
  headers: HeadersExchange,
} as const;

export function isExchangeType(type: string): type is keyof typeof exchangeTypes {
  return Object.hasOwn(exchangeTypes, type);
}

export function createExchange(type: string, vhostName: string, name: string, options: ExchangeOptions): Exchange {
  if (!isExchangeType(type)) throw commandInvalid(`unknown exchange type '${type}'`);
  return new exchangeTypes[type](vhostName, name, options);
}
