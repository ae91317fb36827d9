/**
 * CRM mutations. Each validates its input with zod before anything is sent, writes through
 * the connector (never HTTP here), re-reads the record so the answer is what HubSpot holds
 * after the write, and publishes the change so cached reads see it at once.
 */
import { z } from 'zod';
import type { CrmConnector } from '../../src/systems/crm/client.ts';
import type { CrmObject, CrmObjectType } from '../../src/systems/crm/schemas.ts';
import type { GatewayContext } from '../../src/context.ts';
import { GatewayError } from '../../src/errors.ts';
import type { CrmRecordType, DealStage, LifecycleStage, MutationResolvers } from '../../src/generated/crm.ts';
import { performWrite, validate, type ChangeSpec } from '../../src/workflows/write.ts';
import { DEAL_STAGES, LIFECYCLE_STAGES } from './paging.ts';

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

const LIFECYCLE_RAW = Object.fromEntries(Object.entries(LIFECYCLE_STAGES).map(([raw, member]) => [member, raw])) as Record<
  LifecycleStage,
  string
>;
const DEAL_STAGE_RAW = Object.fromEntries(Object.entries(DEAL_STAGES).map(([raw, member]) => [member, raw])) as Record<string, string>;
const dealStage = z
  .string()
  .refine((stage) => stage in DEAL_STAGE_RAW, { error: 'OTHER cannot be written: name a stage of the default pipeline' });

const contactFields = {
  firstName: clearable(text(100)),
  lastName: clearable(text(100)),
  phone: clearable(phone),
  jobTitle: clearable(text(200)),
  lifecycleStage: optional(z.string()),
  ownerId: clearable(objectId),
};
const createContact = z.object({ email, ...contactFields });
const updateContact = z.object({ email: optional(email), ...contactFields });

const companyFields = {
  domain: clearable(domain),
  industry: clearable(text(100)),
  city: clearable(text(100)),
  country: clearable(text(100)),
  numberOfEmployees: optional(z.number().int().nonnegative({ error: 'must be 0 or more' })),
  annualRevenue: optional(nonNegative),
  ownerId: clearable(objectId),
};
const createCompany = z.object({ name: text(200).min(1, { error: 'must not be empty' }), ...companyFields });
const updateCompany = z.object({ name: optional(text(200).min(1, { error: 'must not be empty' })), ...companyFields });

const dealFields = {
  amount: optional(nonNegative),
  pipeline: optional(text(100).min(1)),
  closeDate: optional(isoDate),
  ownerId: clearable(objectId),
};
const createDeal = z.object({
  name: text(200).min(1, { error: 'must not be empty' }),
  stage: dealStage,
  ...dealFields,
  contactIds: optional(z.array(objectId).max(100)),
  companyIds: optional(z.array(objectId).max(100)),
});
const updateDeal = z.object({
  name: optional(text(200).min(1, { error: 'must not be empty' })),
  stage: optional(dealStage),
  ...dealFields,
});

const nonEmpty = <T extends z.ZodObject>(schema: T) =>
  schema.refine((value) => Object.values(value).some((field) => field !== undefined && field !== null), {
    error: 'give at least one property to change',
  });

/** GraphQL field → HubSpot property, with the value as HubSpot's string. */
function toProperties(input: Record<string, unknown>, names: Record<string, string>): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [field, property] of Object.entries(names)) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (value instanceof Date) properties[property] = value.toISOString();
    else if (field === 'lifecycleStage') properties[property] = LIFECYCLE_RAW[value as LifecycleStage];
    else if (field === 'stage') properties[property] = DEAL_STAGE_RAW[value as DealStage];
    else properties[property] = String(value);
  }
  return properties;
}

const CONTACT_PROPERTIES = {
  email: 'email',
  firstName: 'firstname',
  lastName: 'lastname',
  phone: 'phone',
  jobTitle: 'jobtitle',
  lifecycleStage: 'lifecyclestage',
  ownerId: 'hubspot_owner_id',
};
const COMPANY_PROPERTIES = {
  name: 'name',
  domain: 'domain',
  industry: 'industry',
  city: 'city',
  country: 'country',
  numberOfEmployees: 'numberofemployees',
  annualRevenue: 'annualrevenue',
  ownerId: 'hubspot_owner_id',
};
const DEAL_PROPERTIES = {
  name: 'dealname',
  amount: 'amount',
  stage: 'dealstage',
  pipeline: 'pipeline',
  closeDate: 'closedate',
  ownerId: 'hubspot_owner_id',
};

const ENTITY: Record<CrmObjectType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };
const RECORD_TYPES: Record<CrmRecordType, CrmObjectType> = { CONTACT: 'contacts', COMPANY: 'companies', DEAL: 'deals' };

/** The record as HubSpot holds it now (a write's response carries only the properties it set). */
export async function readBack<T extends CrmObjectType>(connector: CrmConnector, type: T, id: string): Promise<CrmObject<T>> {
  const [record] = await connector.batchReadObjects(type, [id]);
  if (!record) throw new GatewayError('NOT_FOUND', `No CRM ${ENTITY[type]} has this ID`, { service: 'crm' });
  return record;
}

function checkId(id: string, field = 'id'): string {
  return validate(objectId, id, field);
}

function createIn<T extends CrmObjectType>(type: T, operation: string, schema: z.ZodType, names: Record<string, string>) {
  return async (_parent: unknown, { input }: { input: unknown }, context: GatewayContext) => {
    let valid: Record<string, unknown> = {};
    let id = '';
    // The new record (id '' while HubSpot has not answered), its email's lookup and the records it was being linked to.
    const affects = (): ChangeSpec[] => {
      const related: Record<string, string | string[]> = {};
      if (typeof valid.email === 'string') related.email = valid.email;
      for (const field of ['contactIds', 'companyIds'] as const) if (Array.isArray(valid[field])) related[field] = valid[field] as string[];
      return [{ system: 'crm', entity: ENTITY[type], id, action: 'created', related }];
    };
    return performWrite(context, { operation, inputs: input, affects }, async () => {
      valid = validate(schema, input, 'input') as Record<string, unknown>;
      id = await context.connectors.crm.createObject(type, toProperties(valid, names));
      const links: ChangeSpec[] = [];
      const related: Record<string, string[]> = {};
      for (const [field, toType] of [
        ['contactIds', 'contacts'],
        ['companyIds', 'companies'],
      ] as const) {
        const ids = (valid[field] as string[] | null | undefined) ?? [];
        for (const toId of ids) await context.connectors.crm.associate(type, id, toType, toId);
        if (ids.length > 0) related[field] = ids;
      }
      const record = await readBack(context.connectors.crm, type, id);
      links.push({ system: 'crm', entity: ENTITY[type], id, action: 'created', record, related });
      return { value: record, upstream: [{ system: 'crm', ids: { [`${ENTITY[type]}Id`]: id } }], changes: links };
    });
  };
}

function updateIn<T extends CrmObjectType>(type: T, operation: string, schema: z.ZodObject, names: Record<string, string>) {
  return async (_parent: unknown, { id, input }: { id: string; input: unknown }, context: GatewayContext) => {
    const email = (input as { email?: unknown } | null)?.email;
    // The record, and under a new email, the email's lookup too.
    const affects = (): ChangeSpec[] => [
      { system: 'crm', entity: ENTITY[type], id, action: 'updated', related: typeof email === 'string' && email !== '' ? { email } : {} },
    ];
    return performWrite(context, { operation, inputs: { id, input }, affects }, async () => {
      const recordId = checkId(id);
      const valid = validate(nonEmpty(schema), input, 'input') as Record<string, unknown>;
      await context.connectors.crm.updateObject(type, recordId, toProperties(valid, names));
      const record = await readBack(context.connectors.crm, type, recordId);
      return {
        value: record,
        upstream: [{ system: 'crm', ids: { [`${ENTITY[type]}Id`]: recordId } }],
        changes: [{ system: 'crm', entity: ENTITY[type], id: recordId, action: 'updated', record }],
      };
    });
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

function associationIn(associated: boolean): NonNullable<MutationResolvers['associate']> {
  return async (_parent, { input }, context) => {
    const affects = () => linkChanges(validate(associationInput, input), associated);
    return performWrite(context, { operation: associated ? 'associate' : 'disassociate', inputs: input, affects }, async () => {
      const valid = validate(associationInput, input, 'input');
      const fromType = RECORD_TYPES[valid.fromType];
      const toType = RECORD_TYPES[valid.toType];
      if (associated) await context.connectors.crm.associate(fromType, valid.fromId, toType, valid.toId);
      else await context.connectors.crm.disassociate(fromType, valid.fromId, toType, valid.toId);
      const upstream = [{ system: 'crm' as const, ids: { fromId: valid.fromId, toId: valid.toId } }];
      return { value: { ...valid, associated }, upstream, changes: linkChanges(valid, associated) };
    });
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

export const crmMutations: MutationResolvers = {
  createContact: createIn('contacts', 'createContact', createContact, CONTACT_PROPERTIES),
  updateContact: updateIn('contacts', 'updateContact', updateContact, CONTACT_PROPERTIES),
  async archiveContact(_parent, { id }, context) {
    const affects = (): ChangeSpec[] => [{ system: 'crm', entity: 'contact', id, action: 'deleted' }];
    return performWrite(context, { operation: 'archiveContact', inputs: { id }, affects }, async () => {
      const contactId = checkId(id);
      await context.connectors.crm.archiveObject('contacts', contactId);
      return {
        value: { id: contactId, archived: true },
        upstream: [{ system: 'crm', ids: { contactId } }],
        changes: [{ system: 'crm', entity: 'contact', id: contactId, action: 'deleted' }],
      };
    });
  },
  createCompany: createIn('companies', 'createCompany', createCompany, COMPANY_PROPERTIES),
  updateCompany: updateIn('companies', 'updateCompany', updateCompany, COMPANY_PROPERTIES),
  createDeal: createIn('deals', 'createDeal', createDeal, DEAL_PROPERTIES),
  updateDeal: updateIn('deals', 'updateDeal', updateDeal, DEAL_PROPERTIES),
  associate: associationIn(true),
  disassociate: associationIn(false),
};
