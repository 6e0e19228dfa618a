import { createTranslationRef } from '@backstage/frontend-plugin-api';

/**
 * Every string the scorecards plugin shows, so an app can translate or reword them.
 *
 * @public
 */
export const scorecardsTranslationRef = createTranslationRef({
  id: 'plugin.scorecards',
  messages: {
    status: {
      pass: 'Pass',
      fail: 'Fail',
      warn: 'Warning',
      waived: 'Waived',
      notApplicable: 'Not applicable',
      error: 'Error',
    },
    statusCount: {
      pass_one: '{{count}} passing',
      pass_other: '{{count}} passing',
      fail_one: '{{count}} failing',
      fail_other: '{{count}} failing',
      warn_one: '{{count}} warning',
      warn_other: '{{count}} warnings',
      waived_one: '{{count}} waived',
      waived_other: '{{count}} waived',
      notApplicable_one: '{{count}} not applicable',
      notApplicable_other: '{{count}} not applicable',
      error_one: '{{count}} error',
      error_other: '{{count}} errors',
    },
    severity: {
      label: 'Severity: {{severity}}',
      critical: 'Critical',
      high: 'High',
      medium: 'Medium',
      low: 'Low',
      warning: 'Advisory',
    },
    category: {
      ownership: 'Ownership',
      reliability: 'Reliability',
      observability: 'Observability',
      security: 'Security',
      documentation: 'Documentation',
      delivery: 'Delivery',
    },
    level: {
      none: 'No level',
      label: 'Level: {{level}}',
      reached: 'Reached',
      notReached: 'Not reached',
      current: 'Current level',
      checksPassing: '{{passing}} of {{total}} checks pass',
    },
    score: {
      label: 'Score',
      value: '{{score}} / 100',
    },
    tab: {
      title: 'Scorecard',
    },
    card: {
      title: 'Scorecard',
      checks: 'Checks',
      viewScorecard: 'View scorecard',
      nextLevel: 'To reach {{level}}:',
      topLevel: 'Highest level reached.',
      failingChecks: 'Needs attention',
      moreInScorecard_one: '{{count}} more in the scorecard',
      moreInScorecard_other: '{{count}} more in the scorecard',
      allPassing: 'Every enforced check passes.',
    },
    rollupCard: {
      scopeGroup: 'Everything this group and the groups below it own.',
      scopeSystem: 'Everything that is part of this system.',
      scopeDomain:
        'Everything in this domain, directly or through its systems.',
      entities_one: 'entity scored',
      entities_other: 'entities scored',
      averageScore: 'average score',
      failing_one: 'entity failing a check',
      failing_other: 'entities failing a check',
      failingMost: 'Failing most',
      checkFailing_one: '{{check}}: {{count}} entity',
      checkFailing_other: '{{check}}: {{count}} entities',
      nothingFailing: 'No enforced check fails anywhere here.',
      openRollup: 'Open the rollup',
      errorTitle: 'Could not load the rollup',
      emptyTitle: 'Nothing here has a scorecard yet',
      emptyDescription:
        'No entity this covers has been evaluated: it owns or contains nothing a scorecard applies to, or the first evaluation is still to come.',
    },
    time: {
      evaluated: 'Evaluated {{time}}',
      changed: 'last changed {{time}}',
      since: 'since {{date}}',
    },
    states: {
      loading: 'Loading the scorecard',
      errorTitle: 'Could not load the scorecard',
      retry: 'Retry',
      notFoundTitle: 'No scorecard to show',
      notFoundDescription:
        'This entity is not in the catalog, or you are not allowed to read it.',
      notEvaluatedTitle: 'Not evaluated yet',
      notEvaluatedDescription:
        'A scorecard applies to this entity, but the first evaluation has not reached it yet. Evaluations run on a schedule; you can also evaluate it now.',
      evaluateNow: 'Evaluate now',
      notApplicableTitle: 'No scorecard applies',
      notApplicableDescription:
        'None of the scorecards defined for this catalog applies to this entity.',
      noSuchScorecard:
        'The scorecard "{{scorecard}}" does not apply to this entity.',
    },
    content: {
      scorecardPicker: 'Scorecard',
      levels: 'Levels',
      failingOnly: 'Failing only',
      noFailing:
        'Nothing needs attention: every check passes or is waived. Turn off "Failing only" to see every check.',
      categoryProgress: '{{passing}} of {{total}} pass',
      notApplicable: 'Not applicable ({{count}})',
      notApplicableHint:
        'These checks are not meant for this entity, so they neither count toward the score nor block a level.',
      howToFix: 'How to fix',
      learnMore: 'Learn more',
      enforcedFrom:
        'Not enforced until {{date}}: until then a failure only warns and does not lower the score or block a level.',
      advisory:
        'Advisory check: it warns but never lowers the score or blocks a level.',
      waived:
        'Waiver expires {{date}} ({{relative}}) · granted by {{grantedBy}}',
      waiverProblem: 'A waiver is declared but does not count: {{problem}}',
      malformed: 'Malformed value',
      editCatalogInfo: 'Edit catalog-info.yaml',
      checkLink: 'Link to this check',
    },
    reevaluate: {
      action: 'Re-evaluate now',
      running: 'Evaluating…',
      done: 'Re-evaluated {{time}}.',
      nothingChanged: 'Nothing changed since the last evaluation.',
      changes_one: '{{count}} change:',
      changes_other: '{{count}} changes:',
      checkChange: '{{check}}: {{from}} → {{to}}',
      scoreChange: 'Score: {{from}} → {{to}}',
      levelChange: 'Level: {{from}} → {{to}}',
      failed: 'Could not re-evaluate: {{message}}',
    },
    history: {
      title: 'Score over the last 90 days',
      changed: 'Score {{from}} on {{date}}, {{to}} now.',
      unchanged: 'The score has been {{score}} for the whole period.',
      sinceChanged:
        'Evaluated since {{date}}: score {{from}} then, {{to}} now.',
      sinceUnchanged:
        'Evaluated since {{date}}, with a score of {{score}} throughout.',
      loading: 'Loading the score history',
      error: 'Could not load the score history: {{message}}',
    },
  },
});
