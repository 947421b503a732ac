/**
 * Test doubles for the pipeline, no Docker and no registry: an in-memory registry client, a
 * Builder whose commands are real child processes printing docker's output, and a temp
 * workspace with its manifest. See each module for the knobs.
 */
export { createFakeRegistry, type FakeRegistry, type FakeRequest, type PendingPush } from './fake-registry.js';
export {
  createFakeBuilder,
  type FakeBuilder,
  type FakeCall,
  type FakeEvent,
  type BuildStep,
  type PushStep,
} from './fake-builder.js';
export { tempWorkspace, type TempWorkspace, type FakeService } from './workspace.js';
