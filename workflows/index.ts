/** The workflows the worker registers: one per stack action. */
export { createStack } from './create';
export { deleteStack } from './delete';
export { resumeStack, suspendStack } from './suspend';
