/**
 * `Deal.value`: HubSpot's `amount` (a decimal string in major units) with the currency it is
 * in. `deal_currency_code` may be unset (a portal with one currency, deals from before a
 * portal added more), and HubSpot then counts the amount in the portal's currency.
 */
import { GatewayError } from '../../src/errors.ts';
import type { CrmDeal } from '../../src/systems/crm/index.ts';
import { moneyFromMajor, type MoneyValue } from '../money.ts';

/**
 * The portal's company currency, for deals without `deal_currency_code`. HubSpot reports it
 * at `GET /account-info/v3/details` (`companyCurrency`); the connector does not read that
 * endpoint, so this is the default of a HubSpot portal and of the sandbox.
 */
export const PORTAL_CURRENCY = 'usd';

const CURRENCY_CODE = /^[A-Za-z]{3}$/;

export function dealValue(deal: CrmDeal): MoneyValue | null {
  const amount = deal.properties.amount;
  if (amount === null || amount === undefined || amount.trim() === '') return null;
  const code = deal.properties.deal_currency_code?.trim() || PORTAL_CURRENCY;
  const value = CURRENCY_CODE.test(code) ? moneyFromMajor(amount, code) : null;
  if (value) return value;
  // Never the values themselves: they are customer data.
  throw new GatewayError(
    'UPSTREAM_BAD_RESPONSE',
    "The deal's amount or currency cannot be read as Money (not a decimal, an unknown code, or beyond 32-bit minor units)",
    {
      service: 'crm',
    },
  );
}
