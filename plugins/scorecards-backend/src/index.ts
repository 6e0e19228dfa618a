/**
 * Computes Guardrails scorecards for catalog entities and serves them over REST.
 *
 * @packageDocumentation
 */

export { scorecardsPlugin as default } from './plugin';
