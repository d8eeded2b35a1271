/**
 * The SSL losses (DESIGN.md, "Loss API"): pure functions, tfjs tensors in, a tfjs scalar out
 * (knnPredict: int32 predictions, sinkhorn: codes), every intermediate freed by tf.tidy.
 * Each normalises its inputs where its formula says so, so callers may pass raw projections.
 */
export { ntXentLoss } from './simclr';
export { infoNceLoss } from './moco';
export { byolLoss } from './byol';
export { simSiamLoss } from './simsiam';
export { barlowTwinsLoss } from './barlow';
export { vicregLoss, vicregTerms, weightVicregTerms, type VicregTerms } from './vicreg';
export { dinoCenter, dinoLoss, dinoMultiCropLoss } from './dino';
export { sinkhorn, swappedPrediction, swavCodes, swavLoss } from './swav';
export { alignment, alignUniformLoss, alignUniformTerms, uniformity } from './alignmentUniformity';
export { dclLoss, hclLoss } from './dcl';
export { flatNceLoss } from './flatnce';
export { invaSpreadLoss } from './invaspread';
export { nnclrLoss } from './nnclr';
export { nceLoss } from './nce';
export { knnPredict } from './knn';
export { l2Normalize, stopGradient } from './tensorUtil';
export { mocoV3Loss } from './mocov3';
export { deepClusterLoss } from './deepcluster';
export { data2vecLoss, data2vecTarget, maeLoss, normalizePatches, patchify, unpatchify } from './mim';
export { countingLoss, countingTerms, type CountingTerms } from './counting';
export { cpcLoss, cpcTerms } from './cpc';
