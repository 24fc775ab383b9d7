export {
  type CnnBlock,
  type CnnBlockInput,
  type CnnEncoderOptions,
  type CnnEncoderOptionsInput,
  cnnBlockSchema,
  cnnBlocks,
  cnnEncoderOptionsSchema,
  cnnEncoderPlugin,
  createCnnEncoder,
} from './cnn.js';
export {
  createOnnxEncoder,
  type OnnxEncoderOptions,
  type OnnxEncoderOptionsInput,
  type OnnxEncoderState,
  onnxEncoderOptionsSchema,
  onnxEncoderPlugin,
} from './onnx.js';
export {
  createPatchEncoder,
  type PatchEncoderOptions,
  type PatchEncoderOptionsInput,
  patchEncoderOptionsSchema,
  patchEncoderPlugin,
} from './patch.js';
export {
  createResnetEncoder,
  type ResnetEncoderOptions,
  type ResnetEncoderOptionsInput,
  resnetEncoderOptionsSchema,
  resnetEncoderPlugin,
} from './resnet.js';
export {
  type Activation,
  activationSchema,
  defineImageEncoder,
  featureImageSize,
  type ImageBuildContext,
  type ImageEncoderBaseOptions,
  type ImageEncoderDefinition,
  type ImageEncoderKit,
  type ImageEncoderState,
  imageEncoderOptions,
  parseImageEncoderOptions,
  VISION_PACKAGE_NAME,
} from './shared.js';
