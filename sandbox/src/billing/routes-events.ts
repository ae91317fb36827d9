/**
 * `/v1/events`: every write and admin edit since the last (re)seed, newest first. `type`
 * accepts Stripe's wildcard (`invoice.*`); `types[]` lists several. Polling
 * `created[gt]=<last seen>` is the webhook-free way to follow changes.
 */
import type { BillingApi } from './api.ts';
import { invalidParam, resourceMissing } from './errors.ts';
import { listResponse } from './list.ts';
import type { EventRec } from './records.ts';
import { allOf, listQuery, withExpand } from './routes-common.ts';

function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (type) => re.test(type);
}

export function eventRoutes(api: BillingApi): void {
  api.get('/v1/events', (ctx) => {
    const q = listQuery(ctx.params, ['delivery_success', 'type', 'types']);
    const { store, params } = ctx;
    params.bool('delivery_success');
    const type = params.string('type');
    const types = params.array('types')?.map(String);
    if (type !== undefined && types !== undefined)
      throw invalidParam('types', 'You may only specify one of these parameters: type, types.');
    if (types && types.length > 20) throw invalidParam('types', 'You may specify at most 20 types.');
    const matchers = type !== undefined ? [typeMatcher(type)] : types?.map(typeMatcher);
    // Without wildcards one type is one index bucket.
    const exactType = type !== undefined && !type.includes('*') ? type : undefined;
    return listResponse(store, q, {
      url: '/v1/events',
      table: store.events,
      by: { type: exactType },
      filter: allOf<EventRec>(matchers !== undefined && ((e) => matchers.some((m) => m(e.type)))),
      render: (e) => structuredClone(e.json),
    });
  });

  api.get('/v1/events/:id', (ctx) => {
    ctx.params.allow(['expand']);
    const evt = ctx.store.events.get(ctx.req.params.id);
    if (!evt) throw resourceMissing('event', ctx.req.params.id);
    return withExpand(ctx, structuredClone(evt.json));
  });
}
