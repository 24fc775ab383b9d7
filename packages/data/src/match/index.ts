export {
  type DataRecord,
  type KeySpec,
  type Match,
  type MatchOptions,
  type MatchResult,
  matchRecords,
} from './match-records.js';
export {
  COMPANY_STOP_WORDS,
  type JaroWinklerOptions,
  jaro,
  jaroWinkler,
  levenshtein,
  levenshteinSimilarity,
  normalizeKey,
} from './similarity.js';
