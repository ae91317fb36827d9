/** `/v1/prices` and `/v1/products`: the read-only catalog subscriptions and invoice items refer to. */
import type { BillingApi } from './api.ts';
import { listResponse } from './list.ts';
import { getPrice, getProduct } from './lookups.ts';
import type { PriceRec, ProductRec } from './records.ts';
import { renderPrice, renderProduct } from './render.ts';
import { allOf, listQuery, withExpand } from './routes-common.ts';

export function catalogRoutes(api: BillingApi): void {
  api.get('/v1/prices', (ctx) => {
    const q = listQuery(ctx.params, ['active', 'currency', 'lookup_keys', 'product', 'recurring', 'type']);
    const { store, params } = ctx;
    const active = params.bool('active');
    const currency = params.string('currency')?.toLowerCase();
    const product = params.string('product');
    const type = params.enum('type', ['one_time', 'recurring'] as const);
    const lookupKeys = params.array('lookup_keys')?.map(String);
    const recurring = params.hash('recurring');
    recurring?.allow(['interval', 'usage_type']);
    const interval = recurring?.enum('interval', ['day', 'week', 'month', 'year'] as const);
    return listResponse(store, q, {
      url: '/v1/prices',
      table: store.prices,
      filter: allOf<PriceRec>(
        // Prices created behind amount-based invoice items are not part of the catalog.
        (p) => !p.inline,
        active !== undefined && ((p) => p.active === active),
        currency !== undefined && ((p) => p.currency === currency),
        product !== undefined && ((p) => p.product === product),
        type !== undefined && ((p) => (p.recurring ? 'recurring' : 'one_time') === type),
        lookupKeys !== undefined && ((p) => p.lookupKey !== null && lookupKeys.includes(p.lookupKey)),
        interval !== undefined && ((p) => p.recurring?.interval === interval),
      ),
      render: (p) => renderPrice(store, p),
    });
  });

  api.get('/v1/prices/:id', (ctx) => {
    ctx.params.allow(['expand']);
    return withExpand(ctx, renderPrice(ctx.store, getPrice(ctx.store, ctx.req.params.id)));
  });

  api.get('/v1/products', (ctx) => {
    const q = listQuery(ctx.params, ['active', 'ids', 'shippable', 'url']);
    const { store, params } = ctx;
    const active = params.bool('active');
    const ids = params.array('ids')?.map(String);
    return listResponse(store, q, {
      url: '/v1/products',
      table: store.products,
      filter: allOf<ProductRec>(active !== undefined && ((p) => p.active === active), ids !== undefined && ((p) => ids.includes(p.id))),
      render: (p) => renderProduct(store, p),
    });
  });

  api.get('/v1/products/:id', (ctx) => {
    ctx.params.allow(['expand']);
    return withExpand(ctx, renderProduct(ctx.store, getProduct(ctx.store, ctx.req.params.id)));
  });
}
