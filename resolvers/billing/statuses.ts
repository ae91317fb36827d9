/** Stripe statuses as GraphQL enums: known values by name, anything else OTHER. */
import { GatewayError } from '../../src/errors.ts';
import type { ChargeStatus, InvoiceStatus, SubscriptionStatus } from '../../src/generated/billing.ts';

/**
 * Maps a vendor status onto a GraphQL enum: the known values by name, anything else to
 * OTHER (the raw value stays readable through `statusRaw`).
 */
function enumMapper<E extends string>(known: readonly E[]) {
  const byRaw = new Map<string, E>(known.map((value) => [value.toLowerCase(), value]));
  return {
    fromRaw: (raw: string | null): E | 'OTHER' => (raw === null ? undefined : byRaw.get(raw)) ?? 'OTHER',
    /** For filters: OTHER stands for many vendor values, so it cannot become one. */
    toRaw: (value: E | 'OTHER', field: string): string => {
      if (value === 'OTHER') {
        throw new GatewayError('BAD_USER_INPUT', `${field} OTHER cannot be used as a filter; pick a specific status`, {
          fields: { [field]: 'OTHER cannot be filtered on' },
        });
      }
      return value.toLowerCase();
    },
  };
}

export const invoiceStatus = enumMapper<Exclude<InvoiceStatus, 'OTHER'>>(['DRAFT', 'OPEN', 'PAID', 'UNCOLLECTIBLE', 'VOID']);
export const subscriptionStatus = enumMapper<Exclude<SubscriptionStatus, 'OTHER'>>([
  'ACTIVE',
  'CANCELED',
  'INCOMPLETE',
  'INCOMPLETE_EXPIRED',
  'PAST_DUE',
  'PAUSED',
  'TRIALING',
  'UNPAID',
]);
export const chargeStatus = enumMapper<Exclude<ChargeStatus, 'OTHER'>>(['SUCCEEDED', 'PENDING', 'FAILED']);
