/**
 * Resolve hook registered by register.ts: a relative `./x.js` that does not exist resolves to `./x.ts`.
 */
type Resolved = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

/** Node's module `resolve` hook. */
export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<Resolved> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || !specifier.endsWith(".js")) throw error;
    return next(`${specifier.slice(0, -3)}.ts`, context);
  }
}
