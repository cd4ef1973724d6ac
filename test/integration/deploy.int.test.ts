/** The deploy scenario (test/helpers/deploy-scenario.ts) with the TypeScript research agent. */
import { describeDeployScenario } from '../helpers/deploy-scenario.js';

describeDeployScenario('typescript');
