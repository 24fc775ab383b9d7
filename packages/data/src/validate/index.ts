export {
  type CheckRule,
  type CompareRule,
  type CrossSourceRule,
  type FieldRule,
  VALUE_TYPES,
  type ValidationRule,
  type ValueType,
} from './rules.js';
export {
  type ValidateOptions,
  type ValidationResult,
  type ValidationSummary,
  type Violation,
  validate,
} from './validate.js';
