/**
 * Loads the deployment config in the browser: the inline `VITE_DEPLOYMENT` JSON when set at build time, else
 * `/deployment.json` served next to the app.
 */
import { AppConfigError, parseAppConfig, type AppConfig } from "./appConfig.ts";

/**
 * Fetches and validates the config.
 *
 * @returns The config.
 * @throws {AppConfigError} When it cannot be fetched or is malformed.
 */
export async function loadAppConfig(): Promise<AppConfig> {
  const inline = import.meta.env.VITE_DEPLOYMENT;
  if (inline !== undefined && inline !== "") {
    let json: unknown;
    try {
      json = JSON.parse(inline);
    } catch (error) {
      throw new AppConfigError(`VITE_DEPLOYMENT is not valid JSON (${(error as Error).message})`);
    }
    return parseAppConfig(json, "VITE_DEPLOYMENT");
  }
  const response = await fetch("/deployment.json", { cache: "no-store" });
  if (!response.ok) throw new AppConfigError(`/deployment.json: ${response.status} ${response.statusText} (is the devnet running? start it with npm run app)`);
  return parseAppConfig(await response.json(), "/deployment.json");
}
