/**
 * Fetching the model bundle this service serves from a DVC remote, speaking DVC 3's formats (a
 * small standalone copy of the modeling repository's DVC code: the two packages share no code).
 */
export { CorruptObjectError, DvcCache, objectPath } from './cache.js';
export { modelPull } from './cli.js';
export { DvcConfigError, loadDvcConfig, parseDvcConfig, resolveRemote, type RemoteSettings } from './config.js';
export { hashBytes, hashFile } from './md5.js';
export { parsePointer, PointerError, readPointer, type DvcOut } from './pointer.js';
export { dvcPull, type Log, type TransferSummary } from './pull.js';
export { openRemote, RemoteError, type Remote } from './remotes/index.js';
export { listPointers, openDvcRepo, repoRemote, type DvcRepo } from './repo.js';
