export {
  AUDIO_SELF_ATTENTION_CLASS_NAME,
  type AudioLayers,
  type AudioSelfAttentionArgs,
  audioLayers,
} from './audio-layers.js';
export {
  type AudioCheckOptions,
  type AudioFindingCode,
  checkAudioBytes,
  checkAudioValue,
} from './check-audio.js';
export {
  type Cnn1dEncoderOptions,
  type Cnn1dEncoderOptionsInput,
  cnn1dEncoderOptionsSchema,
  cnn1dEncoderPlugin,
  createCnn1dEncoder,
} from './cnn1d.js';
export {
  type Cnn2dEncoderOptions,
  type Cnn2dEncoderOptionsInput,
  cnn2dEncoderOptionsSchema,
  cnn2dEncoderPlugin,
  createCnn2dEncoder,
} from './cnn2d.js';
export {
  type AudioMeasureOptions,
  audioValueMeasure,
  measureAudioValue,
} from './measure-audio.js';
export {
  type AudioOnnxEncoderOptions,
  type AudioOnnxEncoderOptionsInput,
  type AudioOnnxEncoderState,
  audioOnnxEncoderOptionsSchema,
  audioOnnxEncoderPlugin,
  createAudioOnnxEncoder,
} from './onnx.js';
export {
  createRnnEncoder,
  type RnnEncoderOptions,
  type RnnEncoderOptionsInput,
  rnnEncoderOptionsSchema,
  rnnEncoderPlugin,
} from './rnn.js';
export {
  AUDIO_PACKAGE_NAME,
  AUDIO_PREPROCESSOR_VERSION,
  type AudioBuildContext,
  type AudioClipContext,
  type AudioEncoderBaseOptions,
  type AudioEncoderDefinition,
  type AudioEncoderKit,
  type AudioEncoderState,
  type AudioFeatureLayout,
  type AudioPreprocessOptions,
  type AudioPreprocessor,
  type AudioRaw,
  audioEncoderOptions,
  audioPreprocessSchema,
  augmentsAnything,
  createAudioPreprocessor,
  defineAudioEncoder,
  parseAudioEncoderOptions,
} from './shared.js';
export {
  type AudioStandardization,
  fitGlobalStandardization,
  STANDARDIZE_FIT_CLIPS,
} from './standardize.js';
export {
  createTransformerEncoder,
  type TransformerEncoderOptions,
  type TransformerEncoderOptionsInput,
  transformerEncoderOptionsSchema,
  transformerEncoderPlugin,
} from './transformer.js';
