/** What GitOps reads: verified digest pins and Flux setter markers in values files, the Flux objects that follow the tags, and a check of what Flux would select. */
export { pinValuesFile, type PinOutcome, type PinTarget } from './pin.js';
export { selectLatest, parseGoFloat, type FluxPolicy, type Selection } from './policy.js';
export { tagScheme, type TagScheme } from './scheme.js';
export {
  findMarkers,
  rewriteMarkers,
  markerValue,
  type Marker,
  type PolicyImage,
  type MarkerChange,
} from './markers.js';
export { fluxResources, policyName, FLUX_IMAGE_API, type FluxFiles } from './resources.js';
export { checkFluxSelection, type FluxCheck, type FluxCheckInput } from './check.js';
export { gitopsKeeps, type KeptImages } from './keeps.js';
