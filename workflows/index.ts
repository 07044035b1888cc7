/** The workflows the worker registers: one per stack action. */
export { abandonStack } from './abandon';
export { adoptStack } from './adopt';
export { checkStack } from './check';
export { createStack } from './create';
export { deleteStack } from './delete';
export { markResourceUnhealthy } from './mark-unhealthy';
export { signalResource } from './signal-resource';
export { resumeStack, suspendStack } from './suspend';
export { updateStack } from './update';
