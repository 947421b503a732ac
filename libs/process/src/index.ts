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
export { systemClock, createFakeClock, type Clock, type FakeClock } from './clock.js';
export {
  acquireSlot,
  withFileLock,
  isAlive,
  LockTimeoutError,
  type LockHolder,
  type LockOptions,
  type Slot,
} from './lock.js';
