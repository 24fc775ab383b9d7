export { type Embed2dOptions, embed2d } from './embed2d.js';
export { type ScatterSvgOptions, scatterSvg } from './scatter-svg.js';
