/** What GitOps reads: verified digest pins written into values files. */
export { pinValuesFile, type PinOutcome } from './pin.js';
