/** DVC 3 model versioning without the dvc binary: cache, pointer files, remotes, push and pull. */
export { dvcAdd, type AddedFile } from './add.js';
export { contentMd5, CorruptObjectError, DvcCache, objectPath } from './cache.js';
export { DvcConfigError, loadDvcConfig, parseDvcConfig, resolveRemote, type DvcConfig, type RemoteOverrides, type RemoteSettings } from './config.js';
export { addToGitignore, gitignoreEntry } from './gitignore.js';
export { hashBytes, hashFile, isMd5, type FileHash } from './md5.js';
export { formatPointer, parsePointer, PointerError, readPointer, type DvcOut } from './pointer.js';
export { promotePointers, type PromotedPointer } from './promote.js';
export { openRemote, RemoteError, type Remote } from './remotes/index.js';
export { listPointers, openDvcRepo, repoRemote, type DvcRepo } from './repo.js';
export { dvcPull, dvcPush, type Log, type TransferSummary } from './transfer.js';
export { cacheOutputs, formatLock, lockEntry, lockStage, readLock, writeLock, LOCK_FILE, type LockEntry, type LockedStage } from './lock.js';
export { dvcLockCommand, dvcPullCommand, dvcPushCommand } from './lock-cli.js';
export { dvcPushAll } from './push-all.js';
export { dvcPullAll, MissingObjectsError, projectPointers } from './pull-all.js';
export { configDifferences, runProblems } from './run-check.js';
export { readStage, type Stage, type StageOut } from './stage.js';
export { compareCodePoints, DIR_SUFFIX, hashDirectory, parseTreeListing, pythonJsonString, treeListing, type DirHash, type TreeEntry } from './tree.js';
