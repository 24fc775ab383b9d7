export { type CommandArgs, type OptionDef, type ParsedArgs, parseCommandArgs, UsageError } from './args.js';
export { COMMANDS, type CommandDef, findCommand } from './commands.js';
export {
  type FieldDecision,
  type InferConfigOptions,
  type InferredConfig,
  inferConfig,
} from './infer-config.js';
export { type CliIo, processIo } from './io.js';
export { predictionsToCsv, predictionsToJsonl } from './prediction-rows.js';
export { EXIT, formatError, run } from './run.js';
