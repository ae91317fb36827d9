/**
 * The vendor contracts and `npm run vendor:check`: the vendored documents pass clean, and a
 * copy of a document changed the way a vendor changes things (a field the connector reads
 * removed or retyped, a new required parameter, a new enum value) is reported with the route,
 * the field, the public fields it feeds and the trusted documents that select them. No
 * services: the check reads documents and schemas only.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { getNamedType, isEnumType, isObjectType, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTRACTS, documentsSelecting, vendorCheck, zodFieldPaths, type VendorDocuments } from '../src/contracts/index.ts';
import type { DocumentsSelecting } from '../src/contracts/check.ts';
import { alternatives, locate, operation, pathSteps, type ApiDocument, type JsonNode } from '../src/contracts/openapi.ts';
import { loadPublicSchema, loadTrustedDocuments } from '../src/contracts/public-schema.ts';
import type { RouteContract } from '../src/contracts/types.ts';
import { fromRoot } from '../src/paths.ts';
import { CHARGE_STATUSES, INVOICE_STATUSES, SUBSCRIPTION_STATUSES } from '../src/systems/billing/contract.ts';
import { CRM_PROPERTIES } from '../src/systems/crm/schemas.ts';

type Mutable = Record<string, unknown>;

const read = (file: string): ApiDocument => JSON.parse(readFileSync(fromRoot(`sandbox/specs/${file}`), 'utf8')) as ApiDocument;
const STRIPE = read('stripe.subset.json');
const SLACK = read('slack-web.subset.json');
const copy = <T>(value: T): T => structuredClone(value);

let schema: GraphQLSchema;
let selecting: DocumentsSelecting;
beforeAll(async () => {
  schema = await loadPublicSchema();
  selecting = documentsSelecting(schema, loadTrustedDocuments());
});

const check = (documents: VendorDocuments) => vendorCheck({ stripe: STRIPE, slack: SLACK, ...documents }, selecting).findings;
const stripeSchema = (doc: ApiDocument, name: string) => (doc.components as Record<string, Record<string, Mutable>>).schemas[name]!;
const properties = (node: Mutable) => node.properties as Record<string, Mutable>;

describe('vendor:check against the vendored documents', () => {
  it('finds nothing', () => {
    const result = vendorCheck({ stripe: STRIPE, slack: SLACK }, selecting);
    expect(result.findings).toEqual([]);
    expect(result.systems.map((system) => [system.system, system.checked])).toEqual([
      ['crm', false],
      ['billing', true],
      ['chat', true],
    ]);
  });

  it('reports a customer field the connector reads, removed, with the public fields and trusted documents it takes along', () => {
    const doc = copy(STRIPE);
    delete properties(stripeSchema(doc, 'customer')).email;
    const findings = check({ stripe: doc });
    const byId = findings.find((finding) => finding.route === 'GET /v1/customers/{customer}');
    expect(byId).toMatchObject({ system: 'billing', kind: 'field-missing', field: 'email', effect: 'degrades' });
    expect(byId!.impact.graphql).toContain('Customer.email');
    expect(byId!.impact.documents).toContain('CustomerWithContact.graphql');
    // Every route answering customers reports it, at its own path.
    expect(findings.find((finding) => finding.route === 'GET /v1/customers')).toMatchObject({ field: 'data[].email' });
    expect(findings.every((finding) => finding.kind === 'field-missing' && /(^|\.)email$/.test(finding.field!))).toBe(true);
  });

  it('reports a field retyped from string to integer as failing the call', () => {
    const doc = copy(STRIPE);
    properties(stripeSchema(doc, 'customer')).email = { type: 'integer', nullable: true };
    const finding = check({ stripe: doc }).find((f) => f.route === 'GET /v1/customers/{customer}');
    expect(finding).toMatchObject({ kind: 'field-retyped', field: 'email', effect: 'rejects' });
    expect(finding!.detail).toContain('"integer"');
    // The validator refuses the whole body, so every field the route feeds fails.
    expect(finding!.impact.graphql).toEqual(expect.arrayContaining(['Customer.email', 'Customer.name', 'Query.customer']));
  });

  it('reports a field the validator requires that is no longer always sent (a nullable one counts as sent)', () => {
    const doc = copy(STRIPE);
    const customer = stripeSchema(doc, 'customer');
    customer.required = (customer.required as string[]).filter((name) => name !== 'created');
    const finding = check({ stripe: doc }).find((f) => f.route === 'GET /v1/customers/{customer}');
    expect(finding).toMatchObject({ kind: 'field-optional', field: 'created', effect: 'rejects' });
    expect(finding!.impact.graphql).toEqual(expect.arrayContaining(['Customer.createdAt', 'Query.customer']));
    properties(customer).created = { ...properties(customer).created, nullable: true };
    expect(check({ stripe: doc }).find((f) => f.route === 'GET /v1/customers/{customer}')).toMatchObject({ kind: 'field-retyped' });
  });

  it('reports a new required parameter the connector does not send', () => {
    const doc = copy(STRIPE);
    const list = (doc.paths as Record<string, Record<string, Mutable>>)['/v1/invoices']!.get!;
    list.parameters = [...(list.parameters as unknown[]), { name: 'region', in: 'query', required: true, schema: { type: 'string' } }];
    const findings = check({ stripe: doc });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ route: 'GET /v1/invoices', kind: 'param-required', field: 'region', effect: 'rejects' });
    expect(findings[0]!.impact.graphql).toContain('Query.invoices');
  });

  it('reports a new invoice status as one clients would see as OTHER', () => {
    const doc = copy(STRIPE);
    const status = properties(stripeSchema(doc, 'invoice')).status!;
    status.enum = [...(status.enum as string[]), 'disputed'];
    const findings = check({ stripe: doc });
    const byId = findings.find((finding) => finding.route === 'GET /v1/invoices/{invoice}');
    expect(byId).toMatchObject({ kind: 'enum-value-added', field: 'status', effect: 'degrades' });
    expect(byId!.detail).toContain('"disputed"');
    expect(byId!.impact.graphql).toEqual(['Invoice.status', 'Invoice.statusRaw']);
    expect(findings.every((finding) => finding.kind === 'enum-value-added')).toBe(true);
  });

  it('reports a field of conversations.history messages removed', () => {
    const doc = copy(SLACK);
    delete properties((doc.definitions as Record<string, Mutable>).objs_message!).text;
    const findings = check({ slack: doc });
    const history = findings.find((finding) => finding.route === 'GET /conversations.history');
    expect(history).toMatchObject({ system: 'chat', kind: 'field-missing', field: 'messages[].text', effect: 'rejects' });
    expect(history!.impact.graphql).toContain('Message.text');
    expect(history!.impact.documents).toContain('ChannelMessages.graphql');
    expect(findings.find((finding) => finding.route === 'POST /chat.postMessage')).toMatchObject({ field: 'message.text' });
  });

  it('checks the price and invoice-item routes like any other: nothing of them is left out as not checked', () => {
    const { systems } = vendorCheck({ stripe: STRIPE, slack: SLACK }, selecting);
    const notes = systems.flatMap((system) => system.notes);
    expect(notes.filter((note) => /\/v1\/prices|\/v1\/invoiceitems|not checked/.test(note))).toEqual([]);

    const doc = copy(STRIPE);
    delete properties(stripeSchema(doc, 'price')).recurring;
    const item = stripeSchema(doc, 'invoiceitem');
    item.required = (item.required as string[]).filter((name) => name !== 'id');
    const form = (doc.paths as Record<string, Record<string, Mutable>>)['/v1/invoiceitems']!.post!;
    const body = (form.requestBody as { content: Record<string, { schema: Mutable }> }).content['application/x-www-form-urlencoded']!
      .schema;
    body.required = [...(body.required as string[]), 'tax_code'];
    const findings = check({ stripe: doc }).filter((f) => f.route === 'GET /v1/prices/{price}' || f.route === 'POST /v1/invoiceitems');
    expect(findings.map(({ route, kind, field }) => ({ route, kind, field }))).toEqual([
      { route: 'POST /v1/invoiceitems', kind: 'param-required', field: 'tax_code' },
      { route: 'POST /v1/invoiceitems', kind: 'field-optional', field: 'id' },
      { route: 'GET /v1/prices/{price}', kind: 'field-missing', field: 'recurring' },
    ]);
    expect(
      findings.every((f) => f.impact.graphql.includes('Mutation.onboardCustomer') || f.impact.graphql.includes('Mutation.createInvoice')),
    ).toBe(true);

    delete (doc.paths as Mutable)['/v1/prices/{price}'];
    expect(check({ stripe: doc })).toContainEqual(expect.objectContaining({ route: 'GET /v1/prices/{price}', kind: 'route-missing' }));
  });

  it('reports a route the document no longer has', () => {
    const doc = copy(SLACK);
    delete (doc.paths as Mutable)['/users.info'];
    expect(check({ slack: doc })).toEqual([
      expect.objectContaining({
        route: 'GET /users.info',
        kind: 'route-missing',
        impact: expect.objectContaining({ graphql: expect.arrayContaining(['Query.chatUser']) }),
      }),
    ]);
  });
});

/** The object schemas in `doc` that declare the last key of `path` for this route, and that key. */
function owners(doc: ApiDocument, route: RouteContract, path: string): { nodes: JsonNode[]; key: string } {
  const steps = pathSteps(path);
  const key = steps.at(-1)!;
  const parentPath = path.slice(0, path.length - key.length).replace(/\.$/, '');
  const body = operation(doc, route.route)!.response!;
  const parent = parentPath ? locate(doc, body, parentPath) : { found: true as const, nodes: [body], required: true };
  if (parent.found !== true) return { nodes: [], key };
  const nodes = parent.nodes
    .flatMap((node) => alternatives(doc, node))
    .filter((alt) => typeof alt.properties === 'object' && alt.properties !== null && key in (alt.properties as object));
  return { nodes, key };
}

/** Every (system, route, field) the contracts read that the document declares. */
function readFields(name: 'stripe' | 'slack', doc: ApiDocument) {
  return CONTRACTS.filter((contract) => contract.document === name).flatMap((contract) =>
    contract.routes.flatMap((route) =>
      route.response && operation(doc, route.route)?.response
        ? zodFieldPaths(route.response)
            .filter((path) => locate(doc, operation(doc, route.route)!.response!, path).found === true)
            .map((path) => ({ system: contract.system, route, path }))
        : [],
    ),
  );
}

describe('vendor:check, for any field a contract reads', () => {
  for (const [name, original] of [
    ['stripe', STRIPE],
    ['slack', SLACK],
  ] as const) {
    const fields = readFields(name, original);

    it(`${name}: removing it from the document is one finding on each route that reads it, naming every public field it feeds`, () => {
      expect(fields.length).toBeGreaterThan(50);
      fc.assert(
        fc.property(fc.constantFrom(...fields), ({ route, path }) => {
          const doc = copy(original);
          const { nodes, key } = owners(doc, route, path);
          expect(nodes.length).toBeGreaterThan(0);
          // Which reads lose their field: those whose declaring schemas are all among the ones edited.
          const edited = new Set(nodes);
          const affected = fields.filter((other) => {
            const found = owners(doc, other.route, other.path);
            return found.key === key && found.nodes.length > 0 && found.nodes.every((node) => edited.has(node));
          });
          for (const node of nodes) {
            delete (node.properties as Mutable)[key];
            if (Array.isArray(node.required)) (node as Mutable).required = node.required.filter((name) => name !== key);
          }
          const findings = check({ [name]: doc });
          for (const finding of findings) expect(finding.kind).toBe('field-missing');
          expect(findings.map((f) => `${f.route} ${f.field}`).sort()).toEqual(affected.map((a) => `${a.route.route} ${a.path}`).sort());
          const own = findings.find((finding) => finding.route === route.route && finding.field === path)!;
          for (const [read, graphql] of Object.entries(route.reads)) {
            if (read === path || read.startsWith(`${path}.`) || read.startsWith(`${path}[]`))
              expect(own.impact.graphql).toEqual(expect.arrayContaining([...graphql]));
          }
        }),
        { seed: 20261207, numRuns: 60 },
      );
    });
  }
});

/** The field paths of a zod schema through its public API, independently of the contracts' walker. */
function publicPaths(schema: z.ZodType, prefix = ''): string[] {
  let node: z.ZodType = schema;
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = node.in as z.ZodType;
    else break;
  }
  if (node instanceof z.ZodArray) return publicPaths(node.element as z.ZodType, `${prefix}[]`);
  if (!(node instanceof z.ZodObject)) return [];
  return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...publicPaths(child, path)];
  });
}

describe('the contracts', () => {
  const routes = CONTRACTS.flatMap((contract) => contract.routes.map((route) => ({ system: contract.system, route })));

  it('list exactly the fields their validators declare, and map only those', () => {
    for (const { route } of routes) {
      if (!route.response) {
        expect(Object.keys(route.reads)).toEqual([]);
        continue;
      }
      const paths = zodFieldPaths(route.response);
      expect(paths, route.route).toEqual(publicPaths(route.response));
      for (const declared of [route.reads, route.enums, route.undocumented, route.alwaysSent]) {
        for (const path of Object.keys(declared ?? {})) expect(paths, `${route.route}: ${path}`).toContain(path);
      }
    }
  });

  it('name only fields the public schema has', () => {
    const missing = new Set<string>();
    for (const { route } of routes) {
      for (const coordinate of [...route.graphql, ...Object.values(route.reads).flat()]) {
        const [typeName, fieldName] = coordinate.split('.') as [string, string];
        const type = schema.getType(typeName);
        if (!isObjectType(type) || !type.getFields()[fieldName]) missing.add(`${route.route}: ${coordinate}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("know exactly the public enums' values of the vendor enums they read", () => {
    const values = (name: string) => {
      const type = getNamedType(schema.getType(name)!);
      return isEnumType(type)
        ? type
            .getValues()
            .map((value) => value.name.toLowerCase())
            .filter((value) => value !== 'other')
        : [];
    };
    expect([...INVOICE_STATUSES].sort()).toEqual(values('InvoiceStatus').sort());
    expect([...SUBSCRIPTION_STATUSES].sort()).toEqual(values('SubscriptionStatus').sort());
    expect([...CHARGE_STATUSES].sort()).toEqual(values('ChargeStatus').sort());
  });

  it('declare every HubSpot property the CRM connector asks for, HubSpot with no document to check against', () => {
    const crm = CONTRACTS.find((contract) => contract.system === 'crm')!;
    expect(crm.document).toBeNull();
    for (const [type, names] of Object.entries(CRM_PROPERTIES)) {
      const byId = crm.routes.find((route) => route.route.startsWith(`GET /crm/v3/objects/${type}/{`))!;
      expect(zodFieldPaths(byId.response!)).toEqual(expect.arrayContaining(names.map((name) => `properties.${name}`)));
    }
  });
});

describe('npm run vendor:check', () => {
  it('prints the findings and exits 1 for a newer document that dropped a field, 0 for the vendored ones', async () => {
    const run = promisify(execFile);
    const script = [
      fromRoot('node_modules/tsx/dist/cli.mjs').pathname,
      '--conditions=source',
      fromRoot('scripts/vendor-check.ts').pathname,
    ];
    const clean = await run(process.execPath, script);
    expect(clean.stdout.trim().split('\n').at(-1)).toMatch(
      /^vendor:check: 0 findings \(stripe 2023-08-16, \d+ routes; slack, \d+ methods; hubspot, \d+ routes unchecked\)$/,
    );

    const doc = copy(STRIPE);
    delete properties(stripeSchema(doc, 'invoice')).amount_due;
    const file = join(mkdtempSync(join(tmpdir(), 'vendor-check-')), 'stripe.json');
    writeFileSync(file, JSON.stringify(doc));
    const failed = await run(process.execPath, [...script, '--stripe', file]).then(
      () => expect.fail('exited 0'),
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('GET /v1/invoices/{invoice}: field-missing');
    expect(failed.stdout).toContain('Invoice.amountDue');
    expect(failed.stdout.trim().split('\n').at(-1)).toMatch(/^vendor:check: [1-9]\d* findings /);
  }, 60_000);
});
