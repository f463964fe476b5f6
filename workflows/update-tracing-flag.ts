/**
 * Keeps update handling on the same code path in replay as it took live.
 *
 * The OpenTelemetry workflow interceptors (always bundled) wrap update handlers in extra awaits only when the SDK
 * flag `OpenTelemetryInterceptorsInstrumentsAllMethods` is on. Live, that flag is always on; on replay the SDK
 * trusts the flags recorded in history. The SDK's core loses the record when the flag is first used by a rejected
 * update (a refused `decide`): that speculative workflow task is dropped by the server, but core still counts the
 * flag as written and never writes it again. Replay then skips the extra awaits, the `decide` update completes
 * before the approval timer is cancelled, and the history (timer cancelled, then update completed) no longer
 * matches: a nondeterminism error on every replay, query on an evicted run, or worker restart.
 *
 * Every Airlock history was made by workers that bundle those interceptors on an SDK that has the flag, so the
 * flag was on for every update they handled: turning it on again when replaying such a history restores exactly
 * what ran. Histories from SDKs older than the flag keep the SDK's own answer. No command changes.
 */
import { getActivator } from '@temporalio/workflow/lib/global-attributes.js';
import { SdkFlags } from '@temporalio/workflow/lib/flags.js';

/** The SDK release that added the flag (older releases never took the instrumented path). */
const FLAG_SINCE = [1, 13, 3] as const;

/** True for a version string at or after FLAG_SINCE; false when it cannot be read. */
export function hasInstrumentedUpdates(sdkVersion: string | undefined): boolean {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(sdkVersion ?? '');
  if (!match) return false;
  const version = match.slice(1, 4).map(Number);
  for (let i = 0; i < FLAG_SINCE.length; i++) {
    if (version[i]! !== FLAG_SINCE[i]) return version[i]! > FLAG_SINCE[i]!;
  }
  return true;
}

/**
 * Marks the flag as known for this execution when the history was written by an SDK that has it. Call first thing
 * in the workflow function, before any handler is registered (buffered updates run as soon as one is).
 */
export function keepUpdateTracingFlag(): void {
  const activator = getActivator();
  const flag = SdkFlags.OpenTelemetryInterceptorsInstrumentsAllMethods;
  if (activator.hasFlag(flag)) return;
  if (hasInstrumentedUpdates(activator.sdkVersion)) activator.addKnownFlags([flag.id]);
}
