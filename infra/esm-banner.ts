/** Bundles are ESM, yet some dependencies call `require`: give them one (the Lambda bundles and the bench's export worker). */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
