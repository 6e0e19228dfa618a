import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * Guardrails Scorecards: the checks and scorecards to evaluate, when to evaluate them, and how
   * long to keep their history.
   */
  scorecards?: {
    /**
     * The built-in "Production readiness" scorecard and its checks.
     */
    builtins?: {
      /**
       * Whether the built-in checks and the built-in "Production readiness" scorecard are
       * evaluated. Defaults to true.
       */
      enabled?: boolean;
      /**
       * Ids of built-in checks to leave out, e.g. `chaos-practice`. They are also removed from
       * the built-in scorecard and its levels.
       */
      disabledChecks?: string[];
    };

    /**
     * Checks by id (kebab-case, at most 57 characters). An id that names an existing check (a
     * built-in one or one added by a module) changes only the fields given, e.g. its severity
     * or enforcedFrom; a new id must give title, description, category, severity and rule.
     *
     * @example
     * ```yaml
     * scorecards:
     *   checks:
     *     chaos-practice:
     *       severity: medium
     *       enforcedFrom: 2027-01-15
     *     readme:
     *       title: Has a README
     *       description: Newcomers start with the README.
     *       category: documentation
     *       severity: low
     *       rule:
     *         metadata.annotations.acme.com/readme: { $notBlank: true }
     * ```
     */
    checks?: {
      [checkId: string]: {
        /** Short title shown to service owners. */
        title?: string;
        /** What the guardrail is and why it matters, for service owners. */
        description?: string;
        /**
         * Grouping for rollups: ownership, reliability, observability, security,
         * documentation, delivery, or a category of your own.
         */
        category?: string;
        /**
         * Weight in the score: critical (10), high (5), medium (3), low (1), or warning
         * (advisory: it can only warn and neither counts toward the score nor blocks a level).
         */
        severity?: 'critical' | 'high' | 'medium' | 'low' | 'warning';
        /**
         * Which entities the check is for, as a `@backstage/filter-predicates` expression, e.g.
         * `{ spec.type: { $in: [service, website] } }`. Absent means every entity its scorecards
         * apply to.
         */
        appliesTo?: { [key: string]: any };
        /**
         * When the check passes: a filter predicate over the entity (with `relations`) and its
         * facts (`facts.<name>`), with the value operators `$exists`, `$in`, `$contains`,
         * `$hasPrefix`, `$notBlank`, `$matches`, `$gt`, `$gte`, `$lt`, `$lte`, `$within`,
         * `$entity` and `$link`. Text is compared trimmed; `$exists` is true for a blank value,
         * `$notBlank: true` is not.
         */
        rule?: { [key: string]: any };
        /** Markdown guidance on how to make the check pass. */
        remediation?: string;
        /** Further reading shown with the check. */
        links?: Array<{
          /** Where the link points. */
          url: string;
          /** The link text. */
          title: string;
        }>;
        /**
         * ISO date from which failures count, e.g. `2027-01-15`. Before it a failure is a
         * warning, so that a new check can be rolled out gradually.
         */
        enforcedFrom?: string;
      };
    };

    /**
     * Scorecards by id. An id that names an existing scorecard (such as the built-in
     * `production-readiness`) changes only the fields given; a new id must give title,
     * description, checks and levels.
     *
     * @example
     * ```yaml
     * scorecards:
     *   scorecards:
     *     docs:
     *       title: Documentation
     *       description: What readers of our services expect.
     *       appliesTo: { kind: Component }
     *       checks: [techdocs, readme]
     *       levels:
     *         - name: Documented
     *           checks: [techdocs, readme]
     * ```
     */
    scorecards?: {
      [scorecardId: string]: {
        /** Name shown to users. */
        title?: string;
        /** What the scorecard measures. */
        description?: string;
        /**
         * Which entities the scorecard is for, as a `@backstage/filter-predicates` expression.
         * Absent means every entity.
         */
        appliesTo?: { [key: string]: any };
        /** Ids of the checks it contains; they count toward its score. */
        checks?: string[];
        /**
         * Levels from lowest to highest. Levels are cumulative: an entity reaches a level when
         * no check of that level or of a level below it fails or errors.
         */
        levels?: Array<{
          /** Display name, e.g. Bronze. */
          name: string;
          /** Ids of the checks this level requires, in addition to the levels below it. */
          checks: string[];
        }>;
      };
    };

    /**
     * Headline indicators by id (kebab-case), 1 to 5 of them, shown in this order by
     * `GET /indicators`, each now and 30 days ago. Absent means four: the share of production
     * services at Silver or above of the built-in scorecard, with an SLO (`slo-defined`), with
     * alerts routed to on-call (`on-call`) and with a current security review
     * (`security-review`). More than 5 stops the backend at start.
     *
     * @example
     * ```yaml
     * scorecards:
     *   indicators:
     *     gold:
     *       title: Services at Gold
     *       description: The share of production services at Gold.
     *       measure: { type: level, scorecard: production-readiness, level: Gold }
     *     runbooks:
     *       title: Services with a runbook
     *       description: The share of payment services with a runbook.
     *       entities: { kind: Component, spec.owner: group:default/payments }
     *       measure: { type: check, check: runbook }
     *     lead-time:
     *       title: Lead time
     *       description: Median hours from commit to production.
     *       measure:
     *         type: fact
     *         fact: leadTime
     *         aggregate: median
     *         unit: hours
     *         higherIsBetter: false
     * ```
     */
    indicators?: {
      [indicatorId: string]: {
        /** Short title of the headline. */
        title: string;
        /** What it measures, in a sentence. */
        description: string;
        /**
         * The entities it counts, as a `@backstage/filter-predicates` expression over `kind`,
         * `metadata.name`, `metadata.namespace`, `metadata.title`, `spec.type`,
         * `spec.lifecycle`, `spec.owner`, `spec.system` and `spec.domain` (the last three as
         * full refs, e.g. `group:default/payments`). Defaults to production services:
         * `{ kind: Component, spec.type: service, spec.lifecycle: production }`.
         */
        entities?: { [key: string]: any };
        /** What it measures. */
        measure:
          | {
              /** The share of the entities at or above a level of a scorecard. */
              type: 'level';
              /** Scorecard id. */
              scorecard: string;
              /** Level name of that scorecard. */
              level: string;
            }
          | {
              /**
               * The share of the entities the check counts for (pass or waived against fail or
               * error) that pass it or are waived.
               */
              type: 'check';
              /** Check id, of a check in some scorecard. */
              check: string;
            }
          | {
              /** An aggregate of the numeric values of a fact across the entities. */
              type: 'fact';
              /** Fact name, as pushed to `POST /facts`. */
              fact: string;
              /** Median, mean or 90th percentile (nearest rank). */
              aggregate: 'median' | 'mean' | 'p90';
              /** The values' unit, shown with them, e.g. `hours`. */
              unit?: string;
              /** Whether a higher value is better; defaults to true. */
              higherIsBetter?: boolean;
            };
      };
    };

    /**
     * When the whole catalog is evaluated. Several backend replicas share one schedule: each run
     * happens once, on one of them.
     *
     * @example
     * ```yaml
     * scorecards:
     *   schedule:
     *     frequency: { minutes: 30 }
     *     timeout: { minutes: 5 }
     *     initialDelay: { seconds: 10 }
     * ```
     */
    schedule?: {
      /**
       * How often to evaluate: an ISO duration (`PT30M`), a duration string (`30m`), an object
       * (`{ minutes: 30 }`), a cron expression, or a manual trigger.
       */
      frequency:
        | HumanDuration
        | string
        | { cron: string }
        | { trigger: 'manual' };
      /**
       * The longest one evaluation may run; defaults to 5 minutes (a run of 10,000 entities
       * takes seconds). A run still going then is stopped and recorded as failed; one whose
       * backend died is shown as abandoned, and the next run starts within this timeout plus a
       * minute.
       */
      timeout: HumanDuration | string;
      /** How long to wait after start-up before the first evaluation. */
      initialDelay?: HumanDuration | string;
    };

    /**
     * The history of results, for trends, "passing since", regressions and improvements.
     */
    history?: {
      /**
       * How long history is kept: an ISO duration (`P1Y`), a duration string (`180d`) or an
       * object (`{ days: 180 }`). Defaults to one year.
       */
      retention?: HumanDuration | string;
    };

    /**
     * Waivers, created through the API or declared in annotations.
     */
    waivers?: {
      /**
       * The longest a waiver may last: an ISO duration (`P6M`), a duration string (`180d`) or an
       * object (`{ months: 6 }`); defaults to one year. The API refuses a longer one; a waiver
       * declared in an annotation that expires later than this from now does not count, and its
       * result says why.
       */
      maxDuration?: HumanDuration | string;
    };
  };
}
