export {
  type Cnn2dEncoderOptions,
  type Cnn2dEncoderOptionsInput,
  cnn2dEncoderOptionsSchema,
  cnn2dEncoderPlugin,
  createCnn2dEncoder,
} from './cnn2d.js';
export {
  AUDIO_PACKAGE_NAME,
  AUDIO_PREPROCESSOR_VERSION,
  type AudioBuildContext,
  type AudioEncoderBaseOptions,
  type AudioEncoderDefinition,
  type AudioEncoderKit,
  type AudioEncoderState,
  type AudioPreprocessOptions,
  type AudioPreprocessor,
  type AudioRaw,
  audioEncoderOptions,
  audioPreprocessSchema,
  createAudioPreprocessor,
  defineAudioEncoder,
  parseAudioEncoderOptions,
} from './shared.js';
