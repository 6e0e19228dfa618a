/**
 * Types, permissions and API shapes shared by the Guardrails Scorecards plugins.
 *
 * @packageDocumentation
 */

export * from './types';
export * from './permissions';
export * from './api';
