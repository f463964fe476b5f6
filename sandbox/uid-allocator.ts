/**
 * A uid (and the gid of the same number) per live sandbox, from a range no other user of the host has. RLIMIT_NPROC
 * counts the processes of a uid across the whole host: with one shared uid, one sandbox forking to its limit would
 * leave its neighbours unable to fork. The allocation is held by this worker for as long as the container lives.
 */
export interface UidRange {
  first: number;
  last: number;
}

/** 100000–165535: above every system and login range, below the ranges user-namespace remapping usually takes. */
export const DEFAULT_SANDBOX_UID_RANGE: UidRange = { first: 100_000, last: 165_535 };

/** How many picks are checked against other workers' containers before giving up. */
const MAX_ELSEWHERE_CHECKS = 8;

/** No uid of the range is free: as many sandboxes run as the range is wide. */
export class SandboxUidsExhaustedError extends Error {
  override readonly name = 'SandboxUidsExhaustedError';
  constructor(readonly range: UidRange) {
    super(`every sandbox uid from ${range.first} to ${range.last} is in use; widen AIRLOCK_SANDBOX_UIDS or run fewer sandboxes`);
  }
}

/** AIRLOCK_SANDBOX_UIDS is not `first-last` within 1–4294967294. */
export class SandboxUidRangeError extends Error {
  override readonly name = 'SandboxUidRangeError';
  constructor(readonly text: string) {
    super(`AIRLOCK_SANDBOX_UIDS must be "first-last" (e.g. 100000-165535) with 1000 <= first <= last, not "${text}"`);
  }
}

/** Parses `first-last`; the default range when the text is empty or absent. */
export function parseUidRange(text: string | undefined): UidRange {
  if (!text?.trim()) return DEFAULT_SANDBOX_UID_RANGE;
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1000 || last < first || last > 4_294_967_294) throw new SandboxUidRangeError(text);
  return { first, last };
}

/**
 * Hands out uids from the range: random rather than lowest-first, so that two workers on one host rarely pick the
 * same one, and the caller may reject a pick it sees in use elsewhere (`inUseElsewhere`).
 */
export class SandboxUidAllocator {
  private readonly held = new Set<number>();

  constructor(
    readonly range: UidRange = DEFAULT_SANDBOX_UID_RANGE,
    private readonly random: () => number = Math.random,
  ) {}

  /** A uid nobody here holds (and, within a few tries, that `inUseElsewhere` does not report). */
  async allocate(inUseElsewhere: (uid: number) => Promise<boolean> = async () => false): Promise<number> {
    const size = this.range.last - this.range.first + 1;
    if (this.held.size >= size) throw new SandboxUidsExhaustedError(this.range);
    // From a random point onwards: the first uid free here that nobody else reports (a few are asked about).
    let uid = this.range.first + Math.floor(this.random() * size);
    for (let asked = 0, seen = 0; asked < MAX_ELSEWHERE_CHECKS && seen < size; seen++) {
      if (!this.held.has(uid)) {
        this.held.add(uid);
        asked++;
        if (!(await inUseElsewhere(uid))) return uid;
        this.held.delete(uid);
      }
      uid = uid === this.range.last ? this.range.first : uid + 1;
    }
    throw new SandboxUidsExhaustedError(this.range);
  }

  release(uid: number): void {
    this.held.delete(uid);
  }

  get inUse(): number {
    return this.held.size;
  }
}
