export { besideDocuments, besideName } from './beside-documents';
export { rebuildBeside, type RebuildProgress, type RebuildBesideOptions } from './rebuild-beside';
export { RebuildInProgressError } from './rebuild-in-progress';
