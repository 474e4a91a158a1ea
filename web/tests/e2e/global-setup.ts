import type { TestProject } from 'vitest/node';
import { startStack, type Stack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Stack;
  }
}

/** One shop for the whole browser run; each test makes the records it needs. */
export default async function setup(project: TestProject) {
  const running = await startStack();
  project.provide('stack', running.stack);
  return running.stop;
}
