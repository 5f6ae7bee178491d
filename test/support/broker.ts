// Where the tests find a broker. With WARREN_TEST_URL set they run against
// that external broker (e.g. a RabbitMQ 3.10 node, to prove the tests
// themselves); otherwise each test file embeds its own Warren.

export interface TestBroker {
  url: string;
  close(): Promise<void>;
}

export async function startBroker(): Promise<TestBroker> {
  const external = process.env.WARREN_TEST_URL;
  if (external) {
    return { url: external, close: async () => {} };
  }
  // Compiled layout: dist/test/support/broker.js -> dist/src/index.js
  const { Broker } = await import('../../src/index.js');
  const b = await Broker.start({ port: 0, host: '127.0.0.1' });
  return { url: b.url, close: () => b.close() };
}
