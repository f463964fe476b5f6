/** Policy files the integration tests share. */

/** alice develops (and requests), bob approves; medium risk waits for one approver. */
export const ALICE_AND_APPROVER_BOB = () => `principals:
  - { id: alice, roles: [developer] }
  - { id: bob, roles: [approver] }
levels:
  medium:
    mode: human
    roles: [approver]
    quorum: 1
`;
