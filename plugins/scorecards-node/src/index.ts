/**
 * Extension points for modules of the Guardrails Scorecards backend.
 *
 * @packageDocumentation
 */

export * from './extensions';
export * from './history';
