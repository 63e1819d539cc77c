/**
 * Index ops: gather, gatherND, scatterND, oneHot. Index inputs are int32; an index out of
 * range is an error in the reference kernel (never a silent wrap).
 */
export const indexOps = {};
