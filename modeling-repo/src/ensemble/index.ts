/** Public surface of the ensemble merge: member bundles of one split into one averaged bundle. */
export { loadMembers, mergeBundles } from './merge.js';
