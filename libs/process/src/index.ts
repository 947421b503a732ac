export {
  runCommand,
  startDetached,
  lastMeaningfulLine,
  parentDeathWrapper,
  type RunOptions,
  type RunResult,
} from './run.js';
export { createRedactor, composeRedactors, MASK, type Redactor } from './redact.js';
export { killAllGroups, killGroup } from './children.js';
export { delay } from './delay.js';
export {
  withFileLock,
  acquireSlot,
  LockTimeoutError,
  type LockHolder,
  type FileLockOptions,
  type SlotOptions,
  type Slot,
} from './file-lock.js';
export { isAlive } from './lock-file.js';
