export { miContinuousContinuous, miContinuousDiscrete, miDiscreteDiscrete } from './estimators.js';
export { type MutualInfoOptions, mutualInfoClassif, mutualInfoRegression } from './mutual-info.js';
export { chi2Survival, digamma, fSurvival, logGamma, regularizedBeta, regularizedGammaQ } from './special.js';
export { chi2, fClassif, fRegression, type UnivariateScores } from './univariate.js';
