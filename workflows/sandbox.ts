/**
 * Loaded once into the workflow sandbox, before the SDK freezes its globals (the bundle's preloadModules).
 *
 * The SDK records a stack trace for every promise workflow code makes (the UI's stack trace view), each frame
 * looked up in the bundle's source map. Measured on a 50-container delete: that hook was half the CPU of the
 * first workflow task, which ran before any container was stopped; with 4 frames instead of V8's 10 the task
 * took 108 ms instead of 247. Six keep the innermost frames, where a promise was made, and the UI still shows
 * the whole chain of waits, since the SDK links each promise to the one awaiting it.
 */
Error.stackTraceLimit = 6;

export {};
