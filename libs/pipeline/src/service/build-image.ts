/**
 * The `image` target of one service: the push run's steps up to the build (secrets, preflight,
 * the images it builds FROM, the content check), nothing pushed and no row (rows describe pushes).
 */
import { outcomeLine, type Outcome } from '@imagefleet/report';
import { createRedactor, type Redactor } from '@imagefleet/process';
import { loadServiceSecrets, openRunLog, type ServiceContext } from './context.js';
import { buildImage, resolveBaseImages } from './build.js';
import { checkContent } from './content.js';
import { withIdentity } from './identity.js';
import type { ServiceRunShared } from './push-service.js';
import { seconds } from '../seconds.js';

/**
 * The `image` target: the same steps up to the build, nothing pushed and no row (rows describe
 * pushes). An image whose content is already in the registry is not built again.
 */
export async function buildServiceImage(ctx: ServiceContext, shared: ServiceRunShared): Promise<Outcome> {
  const name = ctx.service.name;
  let redact: Redactor = createRedactor([]);
  const log = openRunLog(ctx, (s) => redact(s));
  log.line(`run ${ctx.runId}: build ${ctx.refs.reference[0]} (image target: nothing is pushed)`);
  const done = async (outcome: Outcome) => {
    log.line(outcomeLine(outcome, name));
    await log.close();
    return outcome;
  };
  let secrets: ReturnType<typeof loadServiceSecrets>;
  try {
    secrets = loadServiceSecrets(ctx);
    redact = secrets.redact;
  } catch (error) {
    return done({ kind: 'failed', phase: 'secrets', reason: (error as Error).message });
  }
  const preflight = await shared.preflight;
  if (!preflight.ok) return done({ kind: 'failed', phase: 'preflight', reason: preflight.detail });
  try {
    const base = await resolveBaseImages(ctx);
    const content = await shared.checkSlot(() => checkContent(ctx, base.digests));
    if (content.digest) return await done({ kind: 'unchanged', digest: content.digest });
    const identified = withIdentity(ctx, content.key);
    if ('error' in identified) return await done({ kind: 'failed', phase: 'build', reason: identified.error });
    ctx.say(name, 'build started');
    const build = await shared.buildSlot(() => buildImage(identified, log, secrets, base));
    if (!build.ok)
      return await done(
        build.interrupted
          ? { kind: 'interrupted', phase: 'build' }
          : { kind: 'failed', phase: 'build', reason: build.error },
      );
    ctx.say(name, `build done in ${seconds(build.durationMs)} s`);
    return await done({ kind: 'built' });
  } catch (error) {
    return done({ kind: 'failed', phase: 'build', reason: redact((error as Error).message) });
  }
}
