/**
 * @imagefleet/process — what the tool's processes need from the OS, once each: the one
 * child-process runner (`run.ts`: argument arrays, stall watch, timeout, parent death, with
 * `children.ts` for killing whole groups) and the redactor every line it shows passes through
 * (`redact.ts`); cross-process locks (`lock.ts`: one primitive, a mutex and a semaphore on top);
 * and time (`clock.ts`: the clock everything timed takes, real or fake).
 */
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
