import { runDoctor } from './runDoctor.ts';

/** `npm run doctor`: exit 0 only when nothing failed. */
process.stdout.write('oelala-bot doctor\n\n');
runDoctor({ env: process.env, write: (text) => process.stdout.write(text) }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
