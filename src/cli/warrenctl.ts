#!/usr/bin/env node
// warrenctl: rabbitmqctl's commands for Warren, over the management HTTP API.
import { run } from './ctl/program.js';

// A reader that stops early (`warrenctl list_queues | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2));
