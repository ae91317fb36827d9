/**
 * GET /status: one small HTML page, everything inline (no CDN, no framework: it works
 * offline), drawn from `Query.integrationHealth` by its script (./status-script.ts). The page
 * itself holds no data: without a key that has `ops:read` it shows none. Its Content-Security-
 * Policy allows only its own inline script (by hash), its own style, and fetches to this origin.
 */
import { createHash } from 'node:crypto';
import { STATUS_QUERY, STATUS_SCRIPT } from './status-script.ts';

export const STATUS_PATH = '/status';

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5rem 2rem; color: #1d2330; background: #f6f7f9; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin: 0 0 .3rem; } h3 { margin: 1.4rem 0 .4rem; }
#stale { color: #a04b00; font-weight: 600; } body.stale #systems { opacity: .55; }
#systems { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 1rem; }
.card { background: #fff; border-radius: 8px; padding: .8rem 1rem; border-left: 6px solid #2e8540; box-shadow: 0 1px 2px #0002; }
.card p { margin: .25rem 0; } small { color: #5b6472; font-weight: normal; }
.badge { float: right; font-size: .8rem; padding: .1rem .5rem; border-radius: 4px; color: #fff; background: #2e8540; }
.state-DEGRADED { border-color: #c77700; } .state-DEGRADED .badge { background: #c77700; }
.state-THROTTLED { border-color: #6b4fbb; } .state-THROTTLED .badge { background: #6b4fbb; }
.state-DOWN { border-color: #c62828; } .state-DOWN .badge { background: #c62828; }
.error { color: #c62828; } .reason { color: #3a4250; }
table { border-collapse: collapse; margin: .3rem 0; background: #fff; } th, td { padding: .15rem .5rem; text-align: left; border-bottom: 1px solid #e3e6ea; }
.chart { width: 100%; height: auto; display: block; margin-top: .4rem; }
.chart polyline { fill: none; stroke-width: 1.5; } .chart text { font-size: 9px; fill: #5b6472; }
.req { stroke: #1f6feb; } .err { stroke: #c62828; } .p50 { stroke: #2e8540; } .p99 { stroke: #c77700; }
.stale-replica td { color: #c62828; font-weight: 600; } .alerting td { color: #c62828; }
form { margin: 2rem 0; } input { font: inherit; padding: .3rem; width: 24rem; max-width: 90%; }
`;

const scriptHash = createHash('sha256').update(STATUS_SCRIPT).digest('base64');

export const STATUS_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${scriptHash}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page's query, and the id under which TRUSTED_DOCUMENTS=1 runs it (its SHA-256, as the manifest keys its documents). */
export const STATUS_DOCUMENT = { id: createHash('sha256').update(STATUS_QUERY).digest('hex'), query: STATUS_QUERY } as const;

/** The page; with trusted documents only, its <body> names the query's id, which the script then sends instead of the text. */
export const statusHtml = (trustedDocuments: boolean) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Switchboard — integration status</title>
<style>${STYLE}</style>
</head>
<body${trustedDocuments ? ` data-document-id="${STATUS_DOCUMENT.id}"` : ''}>
<header><h1>Integration status</h1><span id="updated"></span><span id="stale" role="status"></span></header>
<form id="login" hidden>
  <p>An API key with the <code>ops:read</code> scope reads this page's data. It is kept in this tab only (sessionStorage).</p>
  <input id="key" type="password" autocomplete="off" placeholder="API key" aria-label="API key">
  <button type="submit">Show status</button>
  <p id="message" class="error" role="alert"></p>
</form>
<main id="data" hidden>
  <h3>Alerts</h3><div id="alerts" role="status"></div>
  <div id="systems"></div>
  <h3>Webhooks</h3><div id="webhooks"></div>
  <h3>Last catch-up</h3><div id="catchup"></div>
  <h3>Failed work</h3><div id="failed"></div>
  <h3>Replicas</h3><div id="replicas"></div>
  <p><button id="forget" type="button">Forget key</button></p>
</main>
<script>${STATUS_SCRIPT}</script>
</body>
</html>
`;
