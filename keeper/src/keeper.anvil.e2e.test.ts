import { keeperScenarios } from "./_test/scenarios.ts";

keeperScenarios("anvil");
