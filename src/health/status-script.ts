/**
 * The script of GET /status, as text: it runs in the browser, so it is written in the plain
 * JavaScript every browser reads (no build step, no library). It asks for a key once (kept in
 * the tab's sessionStorage, never in the URL), reads `Query.integrationHealth` every
 * REFRESH_MS, draws the charts as inline SVG, and marks the data stale when the last good
 * answer is older than STALE_MS. An answer of 401/403 clears everything shown.
 */
/** The page's one operation; with TRUSTED_DOCUMENTS=1 the gateway also trusts it by its hash (src/plugins/security.ts). */
export const STATUS_QUERY =
  'query IntegrationHealth { integrationHealth { generatedAt ' +
  'systems { system label state reason stateSince breaker breakerChangedAt lastError { code message route at } rateLimited budgetLeft { bucket left } ' +
  'last5Minutes { ...W } last60Minutes { ...W } } ' +
  'webhooks { system vendor lastReceivedAt lagMs accepted duplicate rejected rejectedSignature rejectedStale rejectedMalformed lastRejection } ' +
  'lastCatchUp { at changes systems { system changes behindMs } } ' +
  'failedWork { id operation outcome startedAt requestId idempotencyKey errorCode steps { name status } } ' +
  'replicas { replica self reportedAt stale systems { system state } } ' +
  'alerts { name system since message } } } ' +
  'fragment W on TrafficWindow { minutes requests requestsPerMinute errors errorRate rateLimited p50Ms p99Ms perMinute { at requests errors rateLimited p50Ms p99Ms } }';

export const STATUS_SCRIPT = String.raw`
'use strict';
const REFRESH_MS = 3000;
const STALE_MS = 10000;
const KEY = 'switchboard.status.key';
const QUERY = ${JSON.stringify(STATUS_QUERY)};
// With TRUSTED_DOCUMENTS=1 the gateway runs no text: the page names its query by the id the server put on <body>.
const DOCUMENT_ID = document.body.dataset.documentId;
const $ = (id) => document.getElementById(id);
let lastGood = 0;
let failure = '';
let timer;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child == null ? '' : String(child)));
  return node;
}
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');
const ms = (value) => (value == null ? '—' : value >= 1000 ? (value / 1000).toFixed(1) + ' s' : Math.round(value) + ' ms');
const pct = (value) => (value * 100).toFixed(1) + ' %';

/** A small line chart: one polyline per series, scaled to the largest value. */
function chart(points, series, title) {
  const W = 300, H = 60;
  const max = Math.max(1, ...points.flatMap((p) => series.map((s) => p[s.key] || 0)));
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + (H + 15));
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  const step = points.length > 1 ? W / (points.length - 1) : W;
  for (const s of series) {
    const line = document.createElementNS(svg.namespaceURI, 'polyline');
    line.setAttribute('points', points.map((p, i) => (i * step).toFixed(1) + ',' + (H - ((p[s.key] || 0) / max) * H).toFixed(1)).join(' '));
    line.setAttribute('class', s.cls);
    svg.append(line);
  }
  const label = document.createElementNS(svg.namespaceURI, 'text');
  label.setAttribute('x', '0');
  label.setAttribute('y', String(H + 11));
  label.textContent = title + ' (max ' + (series[0].unit === 'ms' ? ms(max) : max) + ')';
  svg.append(label);
  return svg;
}

function systemCard(s) {
  const w5 = s.last5Minutes, w60 = s.last60Minutes;
  const budget = s.budgetLeft ? s.budgetLeft.map((b) => b.bucket + ': ' + b.left).join(', ') || '—' : 'not metered';
  return el('section', { class: 'card state-' + s.state, 'data-system': s.system, 'data-state': s.state },
    el('h2', {}, s.system.toUpperCase() + ' ', el('small', {}, s.label), el('span', { class: 'badge' }, s.state)),
    el('p', { class: 'reason' }, s.reason, ' · since ' + time(s.stateSince)),
    el('p', {}, 'Breaker ' + s.breaker + ' since ' + time(s.breakerChangedAt)),
    s.lastError ? el('p', { class: 'error' }, 'Last error ' + s.lastError.code + ': ' + s.lastError.message + ' (' + s.lastError.route + ', ' + time(s.lastError.at) + ')') : '',
    el('table', {},
      el('tr', {}, el('th', {}, ''), el('th', {}, 'req/min'), el('th', {}, 'errors'), el('th', {}, 'p50'), el('th', {}, 'p99'), el('th', {}, '429s')),
      ...[w5, w60].map((w) => el('tr', {}, el('th', {}, w.minutes + ' min'), el('td', {}, w.requestsPerMinute.toFixed(1)), el('td', {}, pct(w.errorRate)), el('td', {}, ms(w.p50Ms)), el('td', {}, ms(w.p99Ms)), el('td', {}, w.rateLimited)))),
    el('p', {}, '429s (60 min): ' + s.rateLimited + ' · quota left: ' + budget),
    chart(w60.perMinute, [{ key: 'requests', cls: 'req' }, { key: 'errors', cls: 'err' }], 'requests / errors per minute, 60 min'),
    chart(w60.perMinute, [{ key: 'p99Ms', cls: 'p99', unit: 'ms' }, { key: 'p50Ms', cls: 'p50', unit: 'ms' }], 'p50 / p99 latency, 60 min'));
}

function table(headers, rows) {
  return el('table', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h))), ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))));
}

function render(h) {
  $('alerts').replaceChildren(h.alerts.length === 0 ? el('p', {}, 'none') :
    table(['since', 'alert', 'system', 'what'], h.alerts.map((a) => [time(a.since), a.name, a.system, a.message])));
  $('alerts').setAttribute('class', h.alerts.length === 0 ? '' : 'alerting');
  $('systems').replaceChildren(...h.systems.map(systemCard));
  $('webhooks').replaceChildren(table(['vendor', 'last received', 'lag', 'accepted', 'duplicate', 'rejected (signature / stale / malformed)', 'last rejection'],
    h.webhooks.map((w) => [w.vendor + ' (' + w.system + ')', time(w.lastReceivedAt), ms(w.lagMs), w.accepted, w.duplicate,
      w.rejected + ' (' + w.rejectedSignature + ' / ' + w.rejectedStale + ' / ' + w.rejectedMalformed + ')', w.lastRejection || '—'])));
  const c = h.lastCatchUp;
  $('catchup').replaceChildren(c ? el('p', {}, time(c.at) + ': ' + c.changes + ' changes · ' + c.systems.map((s) => s.system + ' ' + s.changes + ' (behind ' + ms(s.behindMs) + ')').join(', ')) : el('p', {}, 'none since this replica started'));
  const failed = h.failedWork || [];
  $('failed').replaceChildren(failed.length === 0 ? el('p', {}, h.failedWork ? 'none' : 'the audit log cannot be read') :
    table(['started', 'operation', 'outcome', 'error', 'steps', 'request id'],
      failed.map((f) => [time(f.startedAt), f.operation, f.outcome, f.errorCode || '—', f.steps.map((s) => s.name + ' ' + s.status).join(' → '), f.requestId || '—'])));
  const replicas = h.replicas || [];
  $('replicas').replaceChildren(!h.replicas ? el('p', {}, 'the fleet view cannot be read') :
    table(['replica', 'last report', 'status', ...h.systems.map((s) => s.system)],
      replicas.map((r) => [r.replica + (r.self ? ' (this one)' : ''), time(r.reportedAt), r.stale ? 'STOPPED REPORTING' : 'reporting',
        ...h.systems.map((s) => (r.systems.find((x) => x.system === s.system) || { state: '—' }).state)])));
  for (const [i, r] of replicas.entries()) if (r.stale) $('replicas').querySelectorAll('tr')[i + 1].setAttribute('class', 'stale-replica');
  $('updated').textContent = 'Updated ' + time(h.generatedAt);
}

function clearData(message) {
  for (const id of ['alerts', 'systems', 'webhooks', 'catchup', 'failed', 'replicas']) $(id).replaceChildren();
  $('data').hidden = true;
  $('login').hidden = false;
  $('message').textContent = message;
}

function markStale() {
  const why = failure;
  const stale = lastGood > 0 && Date.now() - lastGood > STALE_MS;
  document.body.classList.toggle('stale', stale || !!why);
  $('stale').textContent = why ? 'Stale: ' + why + (lastGood ? ' — data from ' + new Date(lastGood).toLocaleTimeString() : '') : stale ? 'Stale: no answer since ' + new Date(lastGood).toLocaleTimeString() : '';
}

/** A key that may not read the data: forget it, and show nothing of what an earlier key saw. */
function refuse(status) {
  sessionStorage.removeItem(KEY);
  lastGood = 0;
  failure = '';
  markStale();
  clearData(status === 401 ? 'That key was not accepted.' : 'That key lacks the ops:read scope.');
}

async function refresh() {
  clearTimeout(timer);
  const key = sessionStorage.getItem(KEY);
  if (!key) return clearData('');
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: 'Bearer ' + key },
      body: JSON.stringify(
        DOCUMENT_ID
          ? { operationName: 'IntegrationHealth', extensions: { persistedQuery: { version: 1, sha256Hash: DOCUMENT_ID } } }
          : { query: QUERY, operationName: 'IntegrationHealth' },
      ),
      cache: 'no-store',
    });
    if (response.status === 401 || response.status === 403) return refuse(response.status);
    const body = await response.json();
    const codes = (body.errors || []).map((e) => e.extensions && e.extensions.code);
    if (codes.includes('FORBIDDEN') || codes.includes('UNAUTHENTICATED')) return refuse(codes.includes('FORBIDDEN') ? 403 : 401);
    const health = body.data && body.data.integrationHealth;
    if (!health) throw new Error((body.errors && body.errors[0] && body.errors[0].message) || 'HTTP ' + response.status);
    $('login').hidden = true;
    $('data').hidden = false;
    render(health);
    lastGood = Date.now();
    failure = '';
    markStale();
  } catch (error) {
    failure = error.message || String(error);
    markStale();
  } finally {
    if (sessionStorage.getItem(KEY)) timer = setTimeout(refresh, REFRESH_MS);
  }
}

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('key').value.trim();
  $('key').value = '';
  if (key) sessionStorage.setItem(KEY, key);
  refresh();
});
$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  lastGood = 0;
  failure = '';
  markStale();
  clearData('');
});
setInterval(markStale, 1000);
refresh();
`;
