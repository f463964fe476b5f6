/*
 * Airlock web UI script: keeps pages live (polling) and sends decisions without a reload. Plain browser
 * JavaScript with no build step; every piece of markup it inserts was rendered (and escaped) by the server.
 */
/* global document, location, fetch, URLSearchParams, FormData, CSS, window */
'use strict';

(function airlockUi() {
  /** Poll interval for live regions: the pending list and the run timeline. */
  const POLL_MS = 1500;
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.getAttribute('content') : '';

  function formatDuration(ms) {
    const total = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(total / 86400);
    const h = Math.floor((total % 86400) / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (d > 0) return h > 0 ? d + ' d ' + h + ' h' : d + ' d';
    if (h > 0) return m > 0 ? h + ' h ' + m + ' min' : h + ' h';
    if (m > 0) return s > 0 ? m + ' min ' + s + ' s' : m + ' min';
    return s + ' s';
  }

  /** Relative times ("3 min ago", "12 min left") tick every second without asking the server. */
  function tickTimes() {
    const now = Date.now();
    document.querySelectorAll('[data-since]').forEach(function (el) {
      el.textContent = formatDuration(now - Date.parse(el.getAttribute('data-since'))) + ' ago';
    });
    document.querySelectorAll('[data-deadline]').forEach(function (el) {
      const left = Date.parse(el.getAttribute('data-deadline')) - now;
      el.textContent = left > 0 ? formatDuration(left) + ' left' : 'timing out';
      el.classList.toggle('urgent', left < 60000);
    });
  }

  function setLiveState(ok) {
    document.querySelectorAll('[data-live-indicator]').forEach(function (el) {
      el.classList.toggle('stale', !ok);
      el.lastChild.textContent = ok ? 'Live' : 'Reconnecting…';
    });
  }

  /** GET a live endpoint; a lapsed session sends the person back to sign in. */
  async function getJson(url) {
    const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401) {
      location.assign('/sign-in?next=' + encodeURIComponent(location.pathname));
      return undefined;
    }
    const data = await response.json();
    if (!response.ok) throw new Error((data && data.error && data.error.message) || 'server answered ' + response.status);
    return data;
  }

  function elementFrom(markup) {
    const template = document.createElement('template');
    template.innerHTML = markup.trim();
    return template.content.firstElementChild;
  }

  /** Repeats `poll` every POLL_MS, one request at a time; `now()` polls at once (after a decision). */
  function poller(poll) {
    let timer;
    let running = false;
    async function run() {
      if (running) return;
      running = true;
      window.clearTimeout(timer);
      try {
        await poll();
        setLiveState(true);
      } catch {
        setLiveState(false);
      } finally {
        running = false;
        timer = window.setTimeout(run, POLL_MS);
      }
    }
    timer = window.setTimeout(run, POLL_MS);
    return { now: run };
  }

  function livePending(region) {
    let last;
    return poller(async function () {
      const data = await getJson(region.getAttribute('data-live-url'));
      if (!data || data.html === last) return;
      last = data.html;
      // Keep keyboard focus on the same link when the list is redrawn.
      const focused = document.activeElement && region.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
      region.innerHTML = data.html;
      tickTimes();
      if (focused) {
        const again = Array.prototype.find.call(region.querySelectorAll('a[href]'), function (a) {
          return a.getAttribute('href') === focused;
        });
        if (again) again.focus();
      }
    });
  }

  /**
   * The server's answer to the last decision on each action. A live redraw can replace the card while the decision
   * is on its way (or right after), so the answer is kept here and put back into whichever card is current.
   */
  const decisionMessages = new Map();

  /** Cards are keyed by action id, and by run id too where a list shows several runs' actions. */
  function cardSelector(runId, actionId) {
    return 'li[data-action-id="' + CSS.escape(actionId) + '"]' + (runId ? '[data-run-id="' + CSS.escape(runId) + '"]' : ':not([data-run-id])');
  }

  function showDecisionMessage(runId, actionId) {
    const entry = decisionMessages.get(runId + '/' + actionId);
    const item = entry && document.querySelector(cardSelector(runId, actionId));
    if (!item) return;
    let message = item.querySelector('[data-decide-message]');
    if (!message) {
      message = document.createElement('p');
      message.setAttribute('data-decide-message', '');
      message.setAttribute('role', 'status');
      (item.querySelector('article') || item).appendChild(message);
    }
    message.className = 'decide-message ' + entry.tone;
    if (entry.tone === 'error') message.setAttribute('data-testid', 'decision-error');
    message.textContent = entry.text;
  }

  /** Moves what the person typed (and the focus) from a card about to be replaced into its new version. */
  function carryOverInput(oldItem, newItem) {
    const oldText = oldItem.querySelector('textarea');
    const newText = newItem.querySelector('textarea');
    if (!oldText || !newText) return;
    newText.value = oldText.value;
    if (document.activeElement === oldText) {
      newText.focus();
      newText.setSelectionRange(oldText.selectionStart, oldText.selectionEnd);
    }
  }

  function liveRun(timeline) {
    const summary = document.getElementById('run-summary');
    let lastSummary;
    return poller(async function () {
      const data = await getJson(timeline.getAttribute('data-live-url'));
      if (!data) return;
      if (summary && data.summary !== lastSummary) {
        if (lastSummary !== undefined) summary.innerHTML = data.summary;
        lastSummary = data.summary;
      }
      data.actions.forEach(function (action) {
        const selector = 'li[data-action-id="' + CSS.escape(action.id) + '"]';
        const current = timeline.querySelector(selector);
        const article = current && current.querySelector('article');
        if (article && article.getAttribute('data-version') === action.version) return;
        const fresh = elementFrom(action.html);
        if (current) {
          carryOverInput(current, fresh);
          current.replaceWith(fresh);
          showDecisionMessage('', action.id);
        } else {
          const empty = timeline.querySelector('.empty-state');
          if (empty) empty.remove();
          timeline.appendChild(fresh);
        }
      });
      tickTimes();
    });
  }

  let toastTimer;
  function showToast(message, tone) {
    const toast = document.querySelector('[data-toast]');
    if (!toast) return;
    toast.textContent = message;
    toast.className = 'toast visible ' + tone;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () {
      toast.className = 'toast ' + tone;
    }, 6000);
  }

  /** Decisions go over fetch so the page stays put; the server's own words are shown either way. */
  function handleDecisions(afterDecision) {
    document.addEventListener('submit', async function (event) {
      const form = event.target.closest && event.target.closest('form[data-decide-form]');
      if (!form) return;
      event.preventDefault();
      const button = event.submitter;
      const body = new URLSearchParams(new FormData(form));
      if (button && button.name) body.set(button.name, button.value);
      const message = form.querySelector('[data-decide-message]');
      const buttons = form.querySelectorAll('button');
      buttons.forEach(function (b) { b.disabled = true; });
      message.className = 'decide-message';
      message.textContent = 'Sending your decision…';
      let data;
      let ok = false;
      try {
        const response = await fetch(form.getAttribute('action'), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrfToken },
          body: body.toString(),
        });
        data = await response.json().catch(function () { return {}; });
        ok = response.ok && data.ok === true;
        if (!ok && !(data.error && data.error.message)) data = { error: { message: 'The server answered ' + response.status + '; try again.' } };
      } catch {
        data = { error: { message: 'Airlock could not be reached; check your connection and try again.' } };
      }
      const item = form.closest('li[data-action-id]');
      const actionId = item ? item.getAttribute('data-action-id') : undefined;
      const runId = (item && item.getAttribute('data-run-id')) || '';
      if (ok) {
        message.className = 'decide-message success';
        message.textContent = data.message;
        if (actionId) decisionMessages.set(runId + '/' + actionId, { text: data.message, tone: 'success' });
        showToast(data.message, 'success');
        afterDecision();
      } else {
        buttons.forEach(function (b) { b.disabled = false; });
        message.className = 'decide-message error';
        message.setAttribute('data-testid', 'decision-error');
        message.textContent = data.error.message;
        if (actionId) decisionMessages.set(runId + '/' + actionId, { text: data.error.message, tone: 'error' });
      }
      // The card may have been redrawn while the decision was on its way: show the answer in the current one.
      if (actionId) showDecisionMessage(runId, actionId);
    });
  }

  function start() {
    tickTimes();
    window.setInterval(tickTimes, 1000);
    const pending = document.querySelector('#pending[data-live-url]');
    if (pending) livePending(pending);
    const timeline = document.querySelector('#timeline[data-live-url]');
    const run = timeline ? liveRun(timeline) : undefined;
    handleDecisions(function () {
      if (run) run.now();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
