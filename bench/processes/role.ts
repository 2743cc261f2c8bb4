/**
 * A real `src/main.ts <role>` in a child process of its own, for the memory figures:
 * `node --import tsx bench/processes/role.ts bot|worker`, configured by the environment.
 * Started through this file (not `tsx src/main.ts`, which wraps Node in a second process)
 * so the pid the bench watches is the one holding the memory.
 */
await import('../../src/main.ts');
