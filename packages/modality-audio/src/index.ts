export * from './decode/index.js';
export * from './features/index.js';
export * from './signal/index.js';
