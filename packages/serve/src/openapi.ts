import type { ModelInput } from './model-inputs.js';

/** JSON Schema of one field's value in a JSON request. */
function valueSchema(input: ModelInput): Record<string, unknown> {
  const description = `${input.encoder} (${input.type}${input.optional ? ', optional' : ''})`;
  switch (input.type) {
    case 'image':
    case 'audio':
    case 'binary':
      return {
        description: `${description}: inline bytes, as base64 or a data: URI`,
        oneOf: [
          {
            type: 'object',
            required: ['base64'],
            properties: {
              base64: { type: 'string', contentEncoding: 'base64' },
              mediaType: { type: 'string' },
            },
            additionalProperties: false,
          },
          { type: 'string', pattern: '^data:' },
        ],
      };
    case 'number':
      return { description, type: 'number' };
    case 'vector':
      return { description, type: 'array', items: { type: 'number' } };
    default:
      return { description, type: 'string' };
  }
}

/** The OpenAPI 3.1 document of this server: the endpoints and the served bundle's input schema. */
export function openApiDocument(info: {
  readonly inputs: readonly ModelInput[];
  readonly task: string;
  readonly labels: readonly string[];
  readonly version: string;
}): Record<string, unknown> {
  const inputsSchema = {
    type: 'object',
    properties: Object.fromEntries(info.inputs.map((input) => [input.field, valueSchema(input)])),
    required: info.inputs.filter((input) => !input.optional).map((input) => input.field),
    additionalProperties: false,
  };
  const multipartSchema = {
    type: 'object',
    properties: Object.fromEntries(
      info.inputs.map((input) => [
        input.field,
        ['image', 'audio', 'binary'].includes(input.type)
          ? { type: 'string', contentMediaType: 'application/octet-stream' }
          : { type: 'string' },
      ]),
    ),
    required: inputsSchema.required,
  };
  const error = { $ref: '#/components/schemas/Error' };
  const errorResponses = (codes: readonly number[]) =>
    Object.fromEntries(
      codes.map((code) => [
        String(code),
        { description: ERROR_TEXT[code] ?? 'error', content: { 'application/json': { schema: error } } },
      ]),
    );
  const predictErrors = errorResponses([400, 413, 422, 503, 504]);
  return {
    openapi: '3.1.0',
    info: {
      title: 'omnifuse model server',
      version: info.version,
      description: `Serves a ${info.task} model${info.labels.length ? ` with labels ${info.labels.join(', ')}` : ''}.`,
    },
    paths: {
      '/v1/predict': {
        post: {
          summary: 'Predict one record',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['inputs'],
                  properties: { inputs: { $ref: '#/components/schemas/Inputs' } },
                },
              },
              'multipart/form-data': { schema: multipartSchema },
            },
          },
          responses: {
            '200': {
              description: 'The prediction',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Prediction' } } },
            },
            ...predictErrors,
          },
        },
      },
      '/v1/predict/batch': {
        post: {
          summary: 'Predict several records',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['records'],
                  properties: { records: { type: 'array', items: { $ref: '#/components/schemas/Inputs' } } },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'Predictions in record order',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      predictions: { type: 'array', items: { $ref: '#/components/schemas/Prediction' } },
                    },
                  },
                },
              },
            },
            ...predictErrors,
          },
        },
      },
      '/v1/model': {
        get: {
          summary: 'The input schema, output, test metrics and versions of the served bundle',
          responses: { '200': { description: 'Model description', content: { 'application/json': {} } } },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Serving' } } } },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'Text exposition format', content: { 'text/plain': {} } } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    },
    components: {
      schemas: {
        Inputs: inputsSchema,
        Prediction: {
          type: 'object',
          required: ['prediction', 'missing'],
          properties: {
            prediction: {},
            probabilities: { type: 'object', additionalProperties: { type: 'number' } },
            fusionWeights: { type: 'object', additionalProperties: { type: 'number' } },
            missing: { type: 'array', items: { type: 'string' } },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                field: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}

const ERROR_TEXT: Partial<Record<number, string>> = {
  400: 'Malformed request, unknown field or missing required field',
  413: 'Body or image over the limit',
  422: 'Unreadable media, or audio over the duration limit',
  503: 'Busy: every slot and queue place taken (see Retry-After)',
  504: 'The prediction did not finish in time',
};
