/**
 * Lets Node load the project's TypeScript directly (`node --experimental-strip-types --import
 * ./scripts/replay/register.ts`): the Ignition modules import their neighbours as `.js`, as the TypeScript
 * compiler wants, and this resolve hook falls back to the `.ts` file when no `.js` file exists.
 */
import { register } from "node:module";

register("./resolve-ts.ts", import.meta.url);
