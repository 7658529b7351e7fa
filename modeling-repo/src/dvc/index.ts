/** DVC 3 model versioning without the dvc binary: cache, pointer files, remotes, push and pull. */
export { dvcAdd, type AddedFile } from './add.js';
export { CorruptObjectError, DvcCache, objectPath } from './cache.js';
export { DvcConfigError, loadDvcConfig, parseDvcConfig, resolveRemote, type DvcConfig, type RemoteOverrides, type RemoteSettings } from './config.js';
export { addToGitignore, gitignoreEntry } from './gitignore.js';
export { hashBytes, hashFile, isMd5, type FileHash } from './md5.js';
export { formatPointer, parsePointer, PointerError, readPointer, type DvcOut } from './pointer.js';
export { promotePointers, type PromotedPointer } from './promote.js';
export { openRemote, RemoteError, type Remote } from './remotes/index.js';
export { listPointers, openDvcRepo, repoRemote, type DvcRepo } from './repo.js';
export { dvcPull, dvcPush, type Log, type TransferSummary } from './transfer.js';
