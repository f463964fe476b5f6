import { PolicyFileError } from '../policy/policy-file-error.js';
import { readPolicyFile } from '../policy/policy-loader.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import { BadInputError } from './usage-error.js';

/** Reads a candidate policy named on the command line; a problem in it is bad input (exit 2) with every issue listed. */
export function readCandidatePolicy(file: string): PolicySnapshot {
  try {
    return readPolicyFile(file);
  } catch (err) {
    if (err instanceof PolicyFileError) throw new BadInputError(err.message);
    throw err;
  }
}
