/** Which services a change touches, and why: files under a service's context or its manifest entry. */
export { affectedServices, type AffectedReason } from './affected.js';
