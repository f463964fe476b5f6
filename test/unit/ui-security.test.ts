import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCookies, sessionCookie } from '../../server/ui/cookies.js';
import { escapeHtml, html, trustedHtml } from '../../server/ui/html.js';
import { csrfTokenMatches, SessionStore } from '../../server/ui/session-store.js';
import { defaultTemporalWebUrl, workflowWebUrl } from '../../server/ui/temporal-web-url.js';
import { outcomeMessage } from '../../server/ui/web-ui-plugin.js';

describe('web UI escaping', () => {
  it('escapes every interpolated value unless it is SafeHtml', () => {
    const hostile = `<script>alert("x")</script>'`;
    assert.equal(html`<p title="${hostile}">${hostile}</p>`.value, `<p title="${escapeHtml(hostile)}">${escapeHtml(hostile)}</p>`);
    assert.ok(!html`${hostile}`.value.includes('<script>'));
    assert.equal(html`${trustedHtml('<b>ok</b>')}${['a', html`<i>b</i>`]}${undefined}${false}`.value, '<b>ok</b>a<i>b</i>');
  });
});

describe('web UI sessions', () => {
  it('expires sessions and compares CSRF tokens exactly', () => {
    let now = 1_000;
    const store = new SessionStore(60_000, () => now);
    const session = store.create('bob', 'tok1');
    assert.equal(store.get(session.id)?.principal, 'bob');
    assert.ok(csrfTokenMatches(session, session.csrfToken));
    assert.ok(!csrfTokenMatches(session, `${session.csrfToken}x`));
    assert.ok(!csrfTokenMatches(session, undefined));
    now += 60_000;
    assert.equal(store.get(session.id), undefined, 'an expired session is gone');
  });

  it('writes an HttpOnly, SameSite=Strict cookie and reads cookies back', () => {
    const cookie = sessionCookie('airlock_session', 'abc', { maxAgeSec: 60, secure: true });
    assert.equal(cookie, 'airlock_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure');
    assert.equal(parseCookies('a=1; airlock_session=abc; bad; c=%ZZ').get('airlock_session'), 'abc');
  });
});

describe('web UI links and messages', () => {
  it('guesses the Temporal Web UI next to the gRPC port and links to a workflow', () => {
    assert.equal(defaultTemporalWebUrl('127.0.0.1:7233'), 'http://127.0.0.1:8233');
    assert.equal(defaultTemporalWebUrl('not an address'), undefined);
    assert.equal(workflowWebUrl('http://h:8233/', 'default', 'run-1'), 'http://h:8233/namespaces/default/workflows/run-1');
  });

  it('tells the approver where the action stands', () => {
    assert.equal(
      outcomeMessage('approve', { actionId: 'a1', status: 'awaiting_approval', approvals: 1, requiredApprovals: 2 }),
      'Approved (1 of 2): waiting for 1 more approver.',
    );
    assert.equal(outcomeMessage('approve', { actionId: 'a1', status: 'approved', approvals: 1, requiredApprovals: 1 }), 'Approved: the action runs now.');
    assert.equal(outcomeMessage('deny', { actionId: 'a1', status: 'denied', approvals: 0, requiredApprovals: 1 }), 'Denied: the action will not run.');
  });
});
