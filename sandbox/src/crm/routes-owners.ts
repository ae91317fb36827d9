/**
 * CRM owners v3 (read-only). An owner's `id` is what records hold in `hubspot_owner_id`; its
 * `email` is how the gateway links an owner to a chat user.
 */
import type { Router } from '../http.ts';
import { type CrmContext, route } from './context.ts';
import { notFoundError, validationError } from './errors.ts';
import { boolParam, decodeCursor, encodeCursor, intParam, nextLink } from './render.ts';
import type { CrmOwner } from './seed.ts';
import { iso } from './store.ts';

export const OWNER_LIMIT = { default: 100, max: 500 } as const;

export interface PublicOwner {
  id: string;
  email: string;
  type: string;
  firstName: string;
  lastName: string;
  userId: number | null;
  userIdIncludingInactive: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  teams: Array<{ id: string; name: string; primary: boolean }>;
}

export function renderOwner(o: CrmOwner): PublicOwner {
  return {
    id: o.id,
    email: o.email,
    type: o.type,
    firstName: o.firstName,
    lastName: o.lastName,
    userId: o.userId,
    userIdIncludingInactive: o.userIdIncludingInactive,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    archived: o.archived,
    teams: o.teams.map((t) => ({ ...t })),
  };
}

export function registerOwnerRoutes(router: Router, ctx: CrmContext): void {
  route(router, ctx, 'GET', '/crm/v3/owners', (req) => {
    let limit = intParam(req.query.get('limit'), OWNER_LIMIT.default);
    if (Number.isNaN(limit) || limit < 1) return validationError('limit must be a positive integer');
    limit = Math.min(limit, OWNER_LIMIT.max);
    const after = decodeCursor(req.query.get('after'));
    if (after === 'invalid') return validationError(`Invalid 'after' cursor: ${JSON.stringify(req.query.get('after'))}`);
    const archived = boolParam(req.query, 'archived');
    const email = req.query.get('email')?.trim().toLowerCase();
    // Owners are few (at most a few hundred): a filtered scan is the index.
    const matching = ctx.owners.filter(
      (o) => o.archived === archived && (!email || o.email.toLowerCase() === email) && (after === null || Number(o.id) > after),
    );
    const page = matching.slice(0, limit);
    const body: Record<string, unknown> = { results: page.map(renderOwner) };
    if (matching.length > limit) {
      const cursor = encodeCursor(Number(page[page.length - 1].id));
      body.paging = { next: { after: cursor, link: nextLink(req, cursor) } };
    }
    return { status: 200, body };
  });

  route(router, ctx, 'GET', '/crm/v3/owners/:ownerId', (req) => {
    const idProperty = req.query.get('idProperty') ?? 'id';
    if (idProperty !== 'id' && idProperty !== 'userId') return validationError(`idProperty must be id or userId, got ${idProperty}`);
    const archived = boolParam(req.query, 'archived');
    const key = req.params.ownerId;
    const owner = ctx.owners.find(
      (o) => o.archived === archived && (idProperty === 'id' ? o.id === key : String(o.userId ?? o.userIdIncludingInactive) === key),
    );
    if (!owner) return notFoundError(`Owner ${key} not found`, { context: { id: [key] } });
    return { status: 200, body: renderOwner(owner) };
  });
}
