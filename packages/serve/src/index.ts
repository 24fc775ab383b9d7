export { type Admission, createAdmission } from './admission.js';
export { type ErrorBody, errorResponse, HttpError } from './http-error.js';
export { type ServeLimits, type ServeLimitsInput, serveLimitsSchema } from './limits.js';
export { createServerMetrics, LATENCY_BUCKETS, type ServerMetrics } from './metrics.js';
export { type ModelInput, modelInputs } from './model-inputs.js';
export { openApiDocument } from './openapi.js';
export { type RunningServer, type ServeOptions, serve } from './serve.js';
export {
  type CreateServerOptions,
  createServer,
  type OmnifuseServer,
  type ServedPrediction,
} from './server.js';
