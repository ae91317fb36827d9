/**
 * The health model on every context (for `Query.integrationHealth` and its subscription), and
 * `GET /status`, the page that draws it. The page is public and holds no data: its script
 * asks for a key and reads the query, which checks `ops:read` as any other request.
 */
import type { Plugin } from 'graphql-yoga';
import type { HealthModel } from '../health/model.ts';
import { STATUS_CSP, STATUS_PATH, statusHtml } from '../health/status-page.ts';

export function useHealth(model: HealthModel, options: { trustedDocuments: boolean }): Plugin<{ integrationHealth: HealthModel }> {
  const html = statusHtml(options.trustedDocuments);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== STATUS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : html, {
          status: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'content-security-policy': STATUS_CSP,
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
    onContextBuilding({ extendContext }) {
      extendContext({ integrationHealth: model });
    },
  };
}
