import { loadManifest } from '../libs/manifest/src/index.js';
import { planRun, recordUnchangedServices } from '../libs/pipeline/src/index.js';
const dir = process.argv[2]!;
for (let i = 0; i < 3; i++) {
const t0 = performance.now();
const m = await loadManifest(`${dir}/services.manifest.yaml`);
const t1 = performance.now();
const plan = await planRun(m, m.services.map((s) => s.name), { env: process.env, runId: 'x1' });
const t2 = performance.now();
await recordUnchangedServices(m, plan, { env: process.env, runId: 'x1', announce: false });
const t3 = performance.now();
console.error(`manifest ${(t1-t0).toFixed(0)} plan ${(t2-t1).toFixed(0)} record ${(t3-t2).toFixed(0)} ms, unchanged ${plan.unchanged.size}`);
}
