/**
 * The deploy scenario (test/helpers/deploy-scenario.ts) with the Python research agent: real Python
 * worker processes, Python candidates replayed by the user's own temporalio.
 */
import { describeDeployScenario } from '../helpers/deploy-scenario.js';

describeDeployScenario('python');
