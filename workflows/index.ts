/** The workflows the worker registers: one per stack action. */
export { createStack, deleteStack } from './stack';
export { resumeStack, suspendStack } from './suspend';
