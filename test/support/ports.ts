/** A port that was free a moment ago, for child processes that must be told one (see soak/redis.ts for why below the ephemeral range). */
export { freePort } from '../../soak/redis.ts';
