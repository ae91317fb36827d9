/**
 * The look-ahead's Yoga hook: before execution, plans what the operation will ask of
 * billing through contacts and starts it (the plan and the rule: src/links/look-ahead.ts).
 */
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { startLookAhead } from '../links/look-ahead.ts';

export function useLookAhead(options: { requiredScopes: readonly (readonly string[])[] }): Plugin<GatewayContext> {
  return {
    onExecute({ args }) {
      startLookAhead(args.contextValue, args, options.requiredScopes);
    },
  };
}
