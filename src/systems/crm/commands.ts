/**
 * CRM writes: each command validates its input with zod before anything is sent, writes
 * through the connector, re-reads the record so the answer is what HubSpot holds after the
 * write, and names the change to publish so cached reads see it at once. The GraphQL
 * mutations and the cross-system workflows both call these; neither writes to HubSpot itself.
 */
import { z } from 'zod';
import type { ChangeSpec } from '../../changes/types.ts';
import { validate, type Command } from '../../command.ts';
import { GatewayError, isGatewayError, PASSING_CODES, retryPassingFailures } from '../../errors.ts';
import type { CrmConnector } from './client.ts';
import type { CrmObject, CrmObjectType, DealStageValue, LifecycleStageValue } from './schemas.ts';

/**
 * HubSpot's lifecycle stages and default-pipeline deal stages, by the names the gateway's
 * API gives them. A deal stage outside the default pipeline reads as OTHER and cannot be written.
 */
export const LIFECYCLE_STAGE_VALUES = {
  SUBSCRIBER: 'subscriber',
  LEAD: 'lead',
  MARKETING_QUALIFIED_LEAD: 'marketingqualifiedlead',
  SALES_QUALIFIED_LEAD: 'salesqualifiedlead',
  OPPORTUNITY: 'opportunity',
  CUSTOMER: 'customer',
  EVANGELIST: 'evangelist',
  OTHER: 'other',
} as const satisfies Record<string, LifecycleStageValue>;
export const DEAL_STAGE_VALUES = {
  APPOINTMENT_SCHEDULED: 'appointmentscheduled',
  QUALIFIED_TO_BUY: 'qualifiedtobuy',
  PRESENTATION_SCHEDULED: 'presentationscheduled',
  DECISION_MAKER_BOUGHT_IN: 'decisionmakerboughtin',
  CONTRACT_SENT: 'contractsent',
  CLOSED_WON: 'closedwon',
  CLOSED_LOST: 'closedlost',
} as const satisfies Record<string, DealStageValue>;

const objectId = z.string().regex(/^\d{1,20}$/, { error: 'must be a HubSpot record ID (digits)' });
const text = (max = 256) =>
  z
    .string()
    .trim()
    .max(max, { error: `must be at most ${max} characters` });
const email = z.email({ error: 'must be an email address' }).max(254);
const phone = z.string().regex(/^[+\d][\d\s().-]{2,31}$/, { error: 'must be a phone number (digits, spaces, + ( ) . -)' });
const domain = z
  .string()
  .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*\.[a-z]{2,63}$/i, { error: 'must be a bare domain like acme.example' });
const nonNegative = z.number().finite().nonnegative({ error: 'must be 0 or more' });
const isoDate = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 date-time' });
    return z.NEVER;
  }
  return date;
});
const optional = <T extends z.ZodType>(schema: T) => schema.nullish();
/** Update inputs may clear a property with "" (HubSpot's convention); validation applies otherwise. */
const clearable = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).nullish();
const recordName = () => text(200).min(1, { error: 'must not be empty' });
const dealStage = z
  .string()
  .refine((stage) => Object.hasOwn(DEAL_STAGE_VALUES, stage), { error: 'OTHER cannot be written: name a stage of the default pipeline' });

const nonEmpty = <T extends z.ZodObject>(schema: T) =>
  schema.refine((value) => Object.values(value).some((field) => field !== undefined && field !== null), {
    error: 'give at least one property to change',
  });

const contactFields = {
  firstName: clearable(text(100)),
  lastName: clearable(text(100)),
  phone: clearable(phone),
  jobTitle: clearable(text(200)),
  lifecycleStage: optional(z.string()),
  ownerId: clearable(objectId),
};
const companyFields = {
  domain: clearable(domain),
  industry: clearable(text(100)),
  city: clearable(text(100)),
  country: clearable(text(100)),
  numberOfEmployees: optional(z.number().int().nonnegative({ error: 'must be 0 or more' })),
  annualRevenue: optional(nonNegative),
  ownerId: clearable(objectId),
};
const dealFields = {
  amount: optional(nonNegative),
  pipeline: optional(text(100).min(1)),
  closeDate: optional(isoDate),
  ownerId: clearable(objectId),
};

/** Per record type: its create and update inputs, and each input field's HubSpot property. */
const RECORDS: Record<CrmObjectType, { create: z.ZodType; update: z.ZodType; properties: Record<string, string> }> = {
  contacts: {
    create: z.object({ email, ...contactFields }),
    update: nonEmpty(z.object({ email: optional(email), ...contactFields })),
    properties: {
      email: 'email',
      firstName: 'firstname',
      lastName: 'lastname',
      phone: 'phone',
      jobTitle: 'jobtitle',
      lifecycleStage: 'lifecyclestage',
      ownerId: 'hubspot_owner_id',
    },
  },
  companies: {
    create: z.object({ name: recordName(), ...companyFields }),
    update: nonEmpty(z.object({ name: optional(recordName()), ...companyFields })),
    properties: {
      name: 'name',
      domain: 'domain',
      industry: 'industry',
      city: 'city',
      country: 'country',
      numberOfEmployees: 'numberofemployees',
      annualRevenue: 'annualrevenue',
      ownerId: 'hubspot_owner_id',
    },
  },
  deals: {
    create: z.object({
      name: recordName(),
      stage: dealStage,
      ...dealFields,
      contactIds: optional(z.array(objectId).max(100)),
      companyIds: optional(z.array(objectId).max(100)),
    }),
    update: nonEmpty(z.object({ name: optional(recordName()), stage: optional(dealStage), ...dealFields })),
    properties: {
      name: 'dealname',
      amount: 'amount',
      stage: 'dealstage',
      pipeline: 'pipeline',
      closeDate: 'closedate',
      ownerId: 'hubspot_owner_id',
    },
  },
};

/** Input field → HubSpot property, with the value as HubSpot's string. */
function toProperties(input: Record<string, unknown>, names: Record<string, string>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [field, property] of Object.entries(names)) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (value instanceof Date) properties[property] = value.toISOString();
    else if (field === 'lifecycleStage') properties[property] = LIFECYCLE_STAGE_VALUES[value as keyof typeof LIFECYCLE_STAGE_VALUES];
    else if (field === 'stage') properties[property] = DEAL_STAGE_VALUES[value as keyof typeof DEAL_STAGE_VALUES];
    else properties[property] = String(value);
  }
  return properties;
}

const ENTITY: Record<CrmObjectType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };
const RECORD_TYPES = { CONTACT: 'contacts', COMPANY: 'companies', DEAL: 'deals' } as const satisfies Record<string, CrmObjectType>;
/** The links a new record may be created with: input field → the linked records' type. */
const LINKS = [
  ['contactIds', 'contacts'],
  ['companyIds', 'companies'],
] as const;
type LinkIds = Partial<Record<(typeof LINKS)[number][0], readonly string[] | null>>;

const upstreamIds = (type: CrmObjectType, id: string) => [{ system: 'crm' as const, ids: { [`${ENTITY[type]}Id`]: id } }];

/** Waits before repeating a step that follows an applied write (reading it back, linking it). */
const AFTER_WRITE_RETRY_MS = [200, 800, 1600];

/** A step that follows an applied write (both kinds are safe to repeat), tried again briefly while it fails for a passing reason. */
const retryAfterWrite = <R>(step: () => Promise<R>) => retryPassingFailures(step, AFTER_WRITE_RETRY_MS, 2_000);

/** A failure after the write was applied, said as such: the caller must read, not send the write again. */
function appliedButFailed(error: GatewayError, applied: string, failed: string): GatewayError {
  return new GatewayError(error.code, `The write was applied (${applied}), but ${failed} failed: ${error.message}`, {
    service: 'crm',
    retryAfter: error.retryAfter,
    writeApplied: true,
    cause: error,
  });
}

/**
 * The record as HubSpot holds it now, after a write (a write's response carries only the
 * properties it set). The write is done, so a read that fails for a moment is tried again
 * briefly; one that still fails says the write was applied, so that the caller reads the
 * record instead of sending the write again (answered as a plain failure, it would look undone).
 */
export async function readBack<T extends CrmObjectType>(crm: CrmConnector, type: T, id: string): Promise<CrmObject<T>> {
  try {
    return await retryAfterWrite(async () => {
      const [record] = await crm.batchReadObjects(type, [id]);
      if (!record) throw new GatewayError('NOT_FOUND', `No CRM ${ENTITY[type]} has this ID`, { service: 'crm' });
      return record;
    });
  } catch (error) {
    if (!isGatewayError(error) || !PASSING_CODES.has(error.code)) throw error;
    throw appliedButFailed(error, `${ENTITY[type]} ${id}`, 'reading it back');
  }
}

/**
 * Links a record just created. A link that cannot be made (its record does not exist, or
 * HubSpot keeps failing) undoes the creation, so the failure answered leaves no unlinked
 * record behind; when even the undo fails, the answer says the record was created.
 */
async function linkNew(crm: CrmConnector, type: CrmObjectType, id: string, links: LinkIds): Promise<Record<string, readonly string[]>> {
  const related: Record<string, readonly string[]> = {};
  for (const [field, toType] of LINKS) {
    const ids = links[field] ?? [];
    try {
      for (const toId of ids) await retryAfterWrite(() => crm.associate(type, id, toType, toId));
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      try {
        await retryAfterWrite(() => crm.archiveObject(type, id));
      } catch {
        throw appliedButFailed(error, `${ENTITY[type]} ${id}`, `linking it (${field}) and then archiving it`);
      }
      throw error;
    }
    if (ids.length > 0) related[field] = ids;
  }
  return related;
}

/**
 * Creates a record with raw HubSpot properties, links it and reads it back. `onCreated`
 * hears the new id as soon as HubSpot gives it, before the links are written.
 */
export async function insertRecord<T extends CrmObjectType>(
  crm: CrmConnector,
  type: T,
  properties: Readonly<Record<string, string>>,
  links: LinkIds = {},
  onCreated?: (id: string) => void,
): Promise<{ record: CrmObject<T>; change: ChangeSpec }> {
  const id = await crm.createObject(type, properties);
  onCreated?.(id);
  const related = await linkNew(crm, type, id, links);
  const record = await readBack(crm, type, id);
  return { record, change: { system: 'crm', entity: ENTITY[type], id, action: 'created', record, related } };
}

/** Sets raw HubSpot properties and reads the record back: the change carries it as HubSpot now holds it. */
export async function setProperties<T extends CrmObjectType>(
  crm: CrmConnector,
  type: T,
  id: string,
  properties: Readonly<Record<string, string>>,
): Promise<{ record: CrmObject<T>; change: ChangeSpec }> {
  await crm.updateObject(type, id, properties);
  const record = await readBack(crm, type, id);
  return { record, change: { system: 'crm', entity: ENTITY[type], id, action: 'updated', record } };
}

/** Puts properties back without reading the record (an undo): the change names the record, so its cached copies are dropped. */
export async function revertProperties(
  crm: CrmConnector,
  type: CrmObjectType,
  id: string,
  properties: Readonly<Record<string, string>>,
): Promise<ChangeSpec> {
  await crm.updateObject(type, id, properties);
  return { system: 'crm', entity: ENTITY[type], id, action: 'updated' };
}

/** Archives a record (HubSpot keeps it 90 days); `related` names the lookups it leaves, e.g. its email. */
export async function archiveRecord(
  crm: CrmConnector,
  type: CrmObjectType,
  id: string,
  related?: ChangeSpec['related'],
): Promise<ChangeSpec> {
  await crm.archiveObject(type, id);
  const change: ChangeSpec = { system: 'crm', entity: ENTITY[type], id, action: 'deleted' };
  return related ? { ...change, related } : change;
}

/** createContact, createCompany, createDeal: a deal may be linked to contacts and companies as it is made. */
export function createRecord<T extends CrmObjectType>(crm: CrmConnector, type: T, input: unknown): Command<CrmObject<T>> {
  let valid: Record<string, unknown> = {};
  let id = '';
  return {
    // The new record (id '' while HubSpot has not answered), its email's lookup and the records it was being linked to.
    affects() {
      const related: Record<string, string | string[]> = {};
      if (typeof valid.email === 'string') related.email = valid.email;
      for (const [field] of LINKS) if (Array.isArray(valid[field])) related[field] = valid[field] as string[];
      return [{ system: 'crm', entity: ENTITY[type], id, action: 'created', related }];
    },
    async run() {
      valid = validate(RECORDS[type].create, input, 'input') as Record<string, unknown>;
      const properties = toProperties(valid, RECORDS[type].properties);
      const created = await insertRecord(crm, type, properties, valid as LinkIds, (newId) => {
        id = newId;
      });
      return { value: created.record, upstream: upstreamIds(type, id), changes: [created.change] };
    },
  };
}

/** updateContact, updateCompany, updateDeal: "" clears a property; at least one must be given. */
export function updateRecord<T extends CrmObjectType>(crm: CrmConnector, type: T, id: string, input: unknown): Command<CrmObject<T>> {
  const email = (input as { email?: unknown } | null)?.email;
  return {
    // The record, and under a new email, the email's lookup too.
    affects: () => [
      { system: 'crm', entity: ENTITY[type], id, action: 'updated', related: typeof email === 'string' && email !== '' ? { email } : {} },
    ],
    async run() {
      const recordId = validate(objectId, id, 'id');
      const valid = validate(RECORDS[type].update, input, 'input') as Record<string, unknown>;
      const updated = await setProperties(crm, type, recordId, toProperties(valid, RECORDS[type].properties));
      return { value: updated.record, upstream: upstreamIds(type, recordId), changes: [updated.change] };
    },
  };
}

export function archiveContact(crm: CrmConnector, id: string): Command<{ id: string; archived: boolean }> {
  return {
    affects: () => [{ system: 'crm', entity: 'contact', id, action: 'deleted' }],
    async run() {
      const contactId = validate(objectId, id, 'id');
      const change = await archiveRecord(crm, 'contacts', contactId);
      return { value: { id: contactId, archived: true }, upstream: upstreamIds('contacts', contactId), changes: [change] };
    },
  };
}

const associationInput = z
  .object({
    fromType: z.enum(['CONTACT', 'COMPANY', 'DEAL']),
    fromId: objectId,
    toType: z.enum(['CONTACT', 'COMPANY', 'DEAL']),
    toId: objectId,
  })
  .refine((value) => value.fromType !== value.toType, {
    error: 'records of one type cannot be associated with each other',
    path: ['toType'],
  });

export type Association = z.output<typeof associationInput> & { associated: boolean };

/** associate (`associated` true) or disassociate two records of different types. */
export function setAssociation(crm: CrmConnector, input: unknown, associated: boolean): Command<Association> {
  return {
    affects: () => linkChanges(validate(associationInput, input), associated),
    async run() {
      const valid = validate(associationInput, input, 'input');
      const fromType = RECORD_TYPES[valid.fromType];
      const toType = RECORD_TYPES[valid.toType];
      if (associated) await crm.associate(fromType, valid.fromId, toType, valid.toId);
      else await crm.disassociate(fromType, valid.fromId, toType, valid.toId);
      const upstream = [{ system: 'crm' as const, ids: { fromId: valid.fromId, toId: valid.toId } }];
      return { value: { ...valid, associated }, upstream, changes: linkChanges(valid, associated) };
    },
  };
}

function linkChanges(valid: z.output<typeof associationInput>, associated: boolean): ChangeSpec[] {
  const fromType = RECORD_TYPES[valid.fromType];
  const toType = RECORD_TYPES[valid.toType];
  const action = associated ? 'linked' : 'unlinked';
  const key = (type: CrmObjectType) => `${ENTITY[type]}Ids`;
  return [
    { system: 'crm', entity: ENTITY[fromType], id: valid.fromId, action, related: { [key(toType)]: [valid.toId] } },
    { system: 'crm', entity: ENTITY[toType], id: valid.toId, action, related: { [key(fromType)]: [valid.fromId] } },
  ];
}
