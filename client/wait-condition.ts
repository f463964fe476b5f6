/** What `waitForActions` waits for; the rule itself is the workflow's, so both sides judge a state alike. */
export type { WaitUntil } from '../schemas/action-wait.js';
export { actionsReached, unknownActionIds } from '../workflows/actions-reached.js';
