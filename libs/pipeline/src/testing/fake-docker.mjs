// A stand-in for `docker build` / `docker push` (see fake-builder.ts): prints what the docker CLI
// prints, so the pipeline's parsers read real output from a real child process. One argument:
// the step as JSON. Every start and end is appended to `events` (one JSON line each), so a test
// can see when each child ran. A stalled step prints nothing and sleeps until it is killed.
import { appendFileSync, writeFileSync } from 'node:fs';

const step = JSON.parse(process.argv[2]);
const event = (phase) =>
  appendFileSync(
    step.events,
    `${JSON.stringify({ kind: step.kind, service: step.service, phase, t: Date.now(), pid: process.pid })}\n`,
  );
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = (lines) => {
  for (const line of lines) console.error(line);
  event('end');
  process.exit(step.exitCode);
};

event('start');
if (step.stall) await sleep(600_000);

if (step.kind === 'build') {
  console.log('#1 [internal] load build definition from Dockerfile');
  console.log('#1 DONE 0.0s');
  await sleep(step.ms);
  if (step.exitCode) fail([`#5 ERROR: ${step.message}`, `ERROR: failed to solve: ${step.message}`]);
  writeFileSync(step.iidFile, step.imageId);
  console.log('#6 exporting to image');
  console.log(`#6 writing image ${step.imageId} done`);
  console.log(`#6 naming to ${step.ref} done`);
  console.log('#6 DONE 0.1s');
} else {
  console.log(`The push refers to repository [${step.ref.replace(/:[^:/]+$/, '')}]`);
  await sleep(step.ms);
  if (step.exitCode) fail([step.message]);
  console.log('5f70bf18a086: Pushed');
  // The image is in the registry before docker says so: the fake registry takes it from here.
  writeFileSync(step.marker, '');
  console.log(`${step.tag}: digest: ${step.digest} size: 528`);
}
event('end');
