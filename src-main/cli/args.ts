/**
 * node:util's parseArgs for the commands, taken with process.getBuiltinModule: an ESM import of
 * node:util (`import { parseArgs } from 'node:util'`) makes Node evaluate every lazy export of
 * util to build the module's namespace, which loads code no command uses (util's diff, worker
 * threads for setTraceSigInt, …) and cost 3–8 ms of CPU at every start of `deckhand`.
 */
export const { parseArgs } = process.getBuiltinModule('node:util');
