import { MeshError } from '../errors.ts';

/** A metric was defined twice with a different shape, or a name is invalid (`ERR_METRICS_<WHAT>`). */
export class MetricsError extends MeshError {}
