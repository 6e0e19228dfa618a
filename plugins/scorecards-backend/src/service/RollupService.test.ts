import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  CHECK_STATUSES,
  type CheckStatus,
  type GroupRollupNode,
  type RollupResponse,
  type ScorecardDefinitions,
} from '@guardrails/plugin-scorecards-common';
import { Duration } from 'luxon';
import {
  DatabaseScorecardsStore,
  EntityEvaluationRecord,
  EntityInfo,
} from '../database';
import { RollupService } from './RollupService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const DAY = 86_400_000;
const T0 = new Date('2026-11-02T12:00:00.000Z');
const day = (n: number) => new Date(T0.getTime() + n * DAY);

const definitions: ScorecardDefinitions = {
  checks: ['owner', 'docs'].map(id => ({
    id,
    title: id,
    description: id,
    category: 'ownership',
    severity: 'high',
    rule: { [`metadata.annotations.${id}`]: { $notBlank: true } },
  })),
  scorecards: [
    {
      id: 'card',
      title: 'Card',
      description: 'Card',
      checks: ['owner', 'docs'],
      levels: [{ name: 'Bronze', checks: ['owner'] }],
    },
  ],
};

const counts = () =>
  Object.fromEntries(CHECK_STATUSES.map(status => [status, 0])) as Record<
    CheckStatus,
    number
  >;

/** One entity's standing on the scorecard, as a run would hand it to the store. */
function standing(
  entityRef: string,
  options: {
    score: number;
    failing?: string[];
    info?: Partial<EntityInfo>;
    /** The fingerprint of the scorecard's definitions it was evaluated with. */
    definitions?: string;
  },
): EntityEvaluationRecord {
  const failing = options.failing ?? [];
  return {
    info: { entityRef, kind: 'component', ...options.info },
    evaluation: {
      entityRef,
      checks: ['owner', 'docs'].map(checkId => ({
        checkId,
        status: failing.includes(checkId) ? 'fail' : 'pass',
        explanation: checkId,
        enforced: true,
      })),
      scorecards: [
        {
          scorecardId: 'card',
          level: failing.includes('owner') ? null : 'Bronze',
          levelIndex: failing.includes('owner') ? -1 : 0,
          score: options.score,
          counts: counts(),
        },
      ],
    },
    scorecardChecks: { card: ['owner', 'docs'] },
    scorecardFingerprints: { card: options.definitions ?? 'v1' },
  };
}

describe.each(databases.eachSupportedId())(
  'RollupService on %s',
  (databaseId: TestDatabaseId) => {
    let store: DatabaseScorecardsStore;
    let rollups: RollupService;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      store = await DatabaseScorecardsStore.create({
        database: mockServices.database({ knex }),
      });
      rollups = new RollupService({ store, definitions });
      await store.saveOrgSnapshot({
        groups: [{ ref: 'group:default/team', title: 'Team' }],
        systems: [{ ref: 'system:default/shop', title: 'Shop' }],
        domains: [{ ref: 'domain:default/sales', title: 'Sales' }],
      });
    });

    const rollup = (by: RollupResponse['by']) =>
      rollups.rollup({ scorecardId: 'card', by, scope: { type: 'all' } });
    const trends = (interval = 'P1D') =>
      rollups.trends({
        scorecardId: 'card',
        scope: { type: 'all' },
        from: day(0),
        to: day(4),
        interval: Duration.fromISO(interval),
      });

    describe('the heatmap', () => {
      const ref = (name: string) => `component:default/${name}`;
      beforeEach(async () => {
        await store.saveOrgSnapshot({
          groups: [
            { ref: 'group:default/org', title: 'Org' },
            {
              ref: 'group:default/shop-dept',
              title: 'Shop department',
              parentRef: 'group:default/org',
            },
            {
              ref: 'group:default/cart',
              title: 'Cart',
              parentRef: 'group:default/shop-dept',
            },
            {
              ref: 'group:default/data',
              title: 'Data',
              parentRef: 'group:default/org',
            },
          ],
          systems: [
            { ref: 'system:default/shop', title: 'Shop' },
            { ref: 'system:default/lake', title: 'Lake' },
          ],
          domains: [{ ref: 'domain:default/sales', title: 'Sales' }],
        });
        const owned = (owner: string, system: string) => ({
          ownerRef: `group:default/${owner}`,
          ownerExists: true,
          systemRef: `system:default/${system}`,
          domainRef: 'domain:default/sales',
        });
        await store.writeEvaluations(
          [
            standing(ref('cart-api'), {
              score: 50,
              failing: ['docs'],
              info: owned('cart', 'shop'),
            }),
            standing(ref('cart-web'), {
              score: 0,
              failing: ['owner', 'docs'],
              info: owned('cart', 'shop'),
            }),
            standing(ref('shop-admin'), {
              score: 100,
              info: owned('shop-dept', 'shop'),
            }),
            standing(ref('pipeline'), {
              score: 50,
              failing: ['docs'],
              info: owned('data', 'lake'),
            }),
          ],
          day(0),
        );
      });

      it("puts the org's departments against the checks, a department counting its teams", async () => {
        const map = await rollups.heatmap({
          scorecardId: 'card',
          scope: { type: 'all' },
          axis: 'check',
        });
        expect(map.columns).toEqual([
          { id: 'owner', title: 'owner' },
          { id: 'docs', title: 'docs' },
        ]);
        expect(
          map.rows.map(r => [r.title, r.entities, r.cells.map(c => c.fail)]),
        ).toEqual([
          ['Data', 1, [0, 1]],
          ['Shop department', 3, [1, 2]],
        ]);
        expect(map.rows[1].cells[1]).toEqual({
          column: 'docs',
          entities: 3,
          pass: 1,
          fail: 2,
          passRate: 33.3,
        });
      });

      it('has cells equal to the drill-downs they stand for', async () => {
        for (const scope of [
          { type: 'all' as const },
          { type: 'group' as const, ref: 'group:default/shop-dept' },
          { type: 'domain' as const, ref: 'domain:default/sales' },
        ]) {
          const map = await rollups.heatmap({
            scorecardId: 'card',
            scope,
            axis: 'check',
          });
          expect(map.rows.length).toBeGreaterThan(0);
          for (const row of map.rows) {
            const rowScope = row.ref.startsWith('system:')
              ? { type: 'system' as const, ref: row.ref }
              : { type: 'group' as const, ref: row.ref };
            const filter = await rollups.scopeFilter(rowScope);
            for (const cell of row.cells) {
              const { total } = await store.listScores({
                ...filter,
                ...(scope.type === 'domain' && { domainRef: scope.ref }),
                scorecardId: 'card',
                failingCheck: cell.column,
              });
              expect([row.title, cell.column, cell.fail]).toEqual([
                row.title,
                cell.column,
                total,
              ]);
            }
          }
        }
      });

      it("puts a team without child groups as its own row, and a Domain's Systems as rows", async () => {
        const team = await rollups.heatmap({
          scorecardId: 'card',
          scope: { type: 'group', ref: 'group:default/cart' },
          axis: 'check',
        });
        expect(team.rows.map(r => [r.ref, r.entities])).toEqual([
          ['group:default/cart', 2],
        ]);
        const domain = await rollups.heatmap({
          scorecardId: 'card',
          scope: { type: 'domain', ref: 'domain:default/sales' },
          axis: 'category',
        });
        expect(domain.columns).toEqual([
          { id: 'ownership', title: 'Ownership' },
        ]);
        expect(
          domain.rows.map(r => [
            r.title,
            r.entities,
            r.cells[0].pass,
            r.cells[0].fail,
          ]),
        ).toEqual([
          ['Lake', 1, 1, 1],
          ['Shop', 3, 3, 3],
        ]);
      });

      it("counts the whole organisation once until the store's version moves", async () => {
        const counting = jest.spyOn(store, 'countCheckStatusesBy');
        const whole = { scorecardId: 'card', scope: { type: 'all' as const } };
        const first = await rollups.heatmap({ ...whole, axis: 'check' });
        await rollups.heatmap({ ...whole, axis: 'category' });
        expect(counting).toHaveBeenCalledTimes(1);
        await store.writeEvaluations(
          [
            standing(ref('cart-api'), {
              score: 100,
              info: { ownerRef: 'group:default/cart', ownerExists: true },
            }),
          ],
          day(1),
        );
        const after = await rollups.heatmap({ ...whole, axis: 'check' });
        expect(counting).toHaveBeenCalledTimes(2);
        expect(after.rows[1].cells[1].fail).toBe(
          first.rows[1].cells[1].fail - 1,
        );
      });

      it('counts and names only what the caller may read', async () => {
        const map = await rollups.heatmap({
          scorecardId: 'card',
          scope: { type: 'all' },
          axis: 'check',
          visible: new Set([
            'group:default/org',
            'group:default/shop-dept',
            ref('cart-api'),
            ref('shop-admin'),
          ]),
        });
        expect(map.rows.map(r => [r.title, r.entities])).toEqual([
          ['Shop department', 2],
        ]);
        expect(map.rows[0].cells.map(c => c.fail)).toEqual([0, 1]);
      });

      /** The same checks, `docs` in a category of its own. */
      const twoCategories = () =>
        new RollupService({
          store,
          definitions: {
            ...definitions,
            checks: definitions.checks.map(c =>
              c.id === 'docs' ? { ...c, category: 'documentation' } : c,
            ),
          },
        });
      const tree = async (
        service: RollupService,
        options: { visible?: ReadonlySet<string>; depth?: number } = {},
      ) =>
        (await service.rollup({
          scorecardId: 'card',
          by: 'group',
          scope: { type: 'all' },
          ...options,
        })) as Extract<RollupResponse, { by: 'group' }>;
      const rates = (node: GroupRollupNode): unknown => [
        node.title,
        node.own.entities,
        node.categories.map(c => [c.category, c.pass, c.fail, c.passRate]),
        node.children.map(rates),
      ];

      it("gives each group its own entities' standing and its subtree's pass rate per category, in the scorecard's order", async () => {
        const body = await tree(twoCategories());
        expect(body.groups.map(rates)).toEqual([
          [
            'Org',
            0,
            [
              ['ownership', 3, 1, 75],
              ['documentation', 1, 3, 25],
            ],
            [
              [
                'Data',
                1,
                [
                  ['ownership', 1, 0, 100],
                  ['documentation', 0, 1, 0],
                ],
                [],
              ],
              [
                'Shop department',
                1,
                [
                  ['ownership', 2, 1, 66.7],
                  ['documentation', 1, 2, 33.3],
                ],
                [
                  [
                    'Cart',
                    2,
                    [
                      ['ownership', 1, 1, 50],
                      ['documentation', 0, 2, 0],
                    ],
                    [],
                  ],
                ],
              ],
            ],
          ],
        ]);
        const shop = body.groups[0].children[1];
        expect(shop.own).toEqual({
          entities: 1,
          averageScore: 100,
          levels: { Bronze: 1, none: 0 },
          failing: 0,
        });
        expect(shop.entities).toBe(3);
        // A node cut by a depth still has its subtree's pass rates.
        const cut = await tree(twoCategories(), { depth: 0 });
        expect(cut.groups[0].children).toEqual([]);
        expect(cut.groups[0].categories).toEqual(body.groups[0].categories);
      });

      it('gives the pass rates of the entities the caller may read, the own entities of a hidden group going to the group above it', async () => {
        const body = await tree(twoCategories(), {
          visible: new Set([
            'group:default/org',
            'group:default/shop-dept',
            ref('cart-api'),
            ref('shop-admin'),
          ]),
        });
        expect(body.groups.map(rates)).toEqual([
          [
            'Org',
            0,
            [
              ['ownership', 2, 0, 100],
              ['documentation', 1, 1, 50],
            ],
            [
              [
                'Shop department',
                2,
                [
                  ['ownership', 2, 0, 100],
                  ['documentation', 1, 1, 50],
                ],
                [],
              ],
            ],
          ],
        ]);
        // `ownEntities` still counts only what the group owns itself.
        expect(body.groups[0].children[0].ownEntities).toBe(1);
      });

      it('counts the whole organisation by owner once for the tree and the heatmap', async () => {
        const counting = jest.spyOn(store, 'countCheckStatusesBy');
        await tree(rollups);
        await rollups.heatmap({
          scorecardId: 'card',
          scope: { type: 'all' },
          axis: 'category',
        });
        expect(counting).toHaveBeenCalledTimes(1);
      });
    });

    describe('for a caller who may read only some entities', () => {
      const ref = (name: string) => `component:default/${name}`;
      beforeEach(async () => {
        await store.saveOrgSnapshot({
          groups: [
            { ref: 'group:default/org', title: 'Org' },
            {
              ref: 'group:default/open',
              title: 'Open',
              parentRef: 'group:default/org',
            },
            {
              ref: 'group:default/hidden',
              title: 'Hidden',
              parentRef: 'group:default/org',
            },
            {
              ref: 'group:default/sub',
              title: 'Sub',
              parentRef: 'group:default/hidden',
            },
          ],
          systems: [
            { ref: 'system:default/shop', title: 'Shop' },
            { ref: 'system:default/vault', title: 'Vault' },
          ],
          domains: [],
        });
        const owned = (
          name: string,
          ownerRef: string,
          systemRef: string,
          score = 50,
        ) =>
          standing(ref(name), {
            score,
            info: { ownerRef, ownerExists: true, systemRef },
          });
        await store.writeEvaluations(
          [
            owned('open-app', 'group:default/open', 'system:default/shop'),
            owned(
              'hidden-team-app',
              'group:default/hidden',
              'system:default/vault',
            ),
            owned('sub-app', 'group:default/sub', 'system:default/shop'),
            owned('secret-app', 'group:default/open', 'system:default/shop'),
          ],
          day(-1),
        );
        // The secret app improves; the others do not move.
        await store.writeEvaluations(
          [
            owned(
              'secret-app',
              'group:default/open',
              'system:default/shop',
              90,
            ),
          ],
          day(2),
        );
      });
      const visible = new Set([
        'group:default/org',
        'group:default/open',
        'group:default/sub',
        'system:default/shop',
        ref('open-app'),
        ref('hidden-team-app'),
        ref('sub-app'),
      ]);

      it('counts only their entities, and names only the groups they may read', async () => {
        const body = (await rollups.rollup({
          scorecardId: 'card',
          by: 'group',
          scope: { type: 'all' },
          visible,
        })) as Extract<RollupResponse, { by: 'group' }>;

        expect(body.summary.entities).toBe(3);
        const brief = (node: GroupRollupNode): unknown => [
          node.ref,
          node.entities,
          node.ownEntities,
          node.children.map(brief),
        ];
        // The hidden group is left out; its entity counts in the group above it.
        expect(body.groups.map(brief)).toEqual([
          [
            'group:default/org',
            3,
            0,
            [
              ['group:default/open', 1, 1, []],
              ['group:default/sub', 1, 1, []],
            ],
          ],
        ]);
        await expect(
          rollups.rollup({
            scorecardId: 'card',
            by: 'group',
            scope: { type: 'group', ref: 'group:default/hidden' },
            visible,
          }),
        ).rejects.toThrow('No group group:default/hidden in the catalog');
      });

      it('cuts the group tree at a depth, saying which groups have groups below', async () => {
        const byGroup = async (scope: string | undefined, depth?: number) =>
          (await rollups.rollup({
            scorecardId: 'card',
            by: 'group',
            scope: scope ? { type: 'group', ref: scope } : { type: 'all' },
            depth,
          })) as Extract<RollupResponse, { by: 'group' }>;
        const brief = (node: GroupRollupNode): unknown => [
          node.ref,
          node.entities,
          node.hasChildren,
          node.children.map(brief),
        ];
        expect((await byGroup(undefined, 1)).groups.map(brief)).toEqual([
          [
            'group:default/org',
            4,
            true,
            [
              ['group:default/hidden', 2, true, []],
              ['group:default/open', 2, false, []],
            ],
          ],
        ]);
        expect(
          (await byGroup('group:default/hidden', 1)).groups.map(brief),
        ).toEqual([
          [
            'group:default/hidden',
            2,
            true,
            [['group:default/sub', 1, false, []]],
          ],
        ]);
        // Without a depth, the whole tree, as before.
        expect(
          (await byGroup(undefined)).groups[0].hasChildren,
        ).toBeUndefined();
      });

      it('answers an unchanged store from the same serialised answer, per view, until a write', async () => {
        const build = jest.spyOn(rollups, 'rollup');
        const ask = (v?: ReadonlySet<string>) =>
          rollups.rollupAnswer({
            scorecardId: 'card',
            by: 'group',
            scope: { type: 'all' },
            visible: v,
          });
        const entities = (answer: { body: Buffer }) =>
          JSON.parse(answer.body.toString('utf8')).summary.entities;
        const everything = await ask();
        expect(await ask()).toBe(everything);
        const theirs = await ask(visible);
        expect(await ask(visible)).toBe(theirs);
        expect(theirs.etag).not.toBe(everything.etag);
        expect(entities(theirs)).toBe(3);
        expect(entities(everything)).toBe(4);
        expect(build).toHaveBeenCalledTimes(2);

        await store.writeEvaluations(
          [
            standing(ref('new-app'), {
              score: 10,
              info: { ownerRef: 'group:default/open', ownerExists: true },
            }),
          ],
          day(3),
        );
        expect(entities(await ask())).toBe(5);
        expect(build).toHaveBeenCalledTimes(3);
      });

      it('builds the first answer of the org rollup page when warmed, which a request then finds', async () => {
        const read = jest.spyOn(store, 'listScores');
        const build = jest.spyOn(rollups, 'rollup');
        await rollups.warm();
        expect(read).toHaveBeenCalledTimes(1);
        expect(build).toHaveBeenCalledTimes(1);

        const answer = await rollups.rollupAnswer({
          scorecardId: 'card',
          by: 'group',
          scope: { type: 'all' },
          depth: 1,
        });
        expect(JSON.parse(answer.body.toString('utf8')).summary.entities).toBe(
          4,
        );
        expect(read).toHaveBeenCalledTimes(1);
        expect(build).toHaveBeenCalledTimes(1);
      });

      it('names only the Systems they may read, and counts only their checks', async () => {
        const bySystem = (await rollups.rollup({
          scorecardId: 'card',
          by: 'system',
          scope: { type: 'all' },
          visible,
        })) as Extract<RollupResponse, { by: 'system' | 'domain' }>;
        expect(bySystem.rows.map(r => [r.ref, r.entities])).toEqual([
          ['system:default/shop', 2],
        ]);
        expect(bySystem.summary.entities).toBe(3);

        const byCheck = (await rollups.rollup({
          scorecardId: 'card',
          by: 'check',
          scope: { type: 'all' },
          visible,
        })) as Extract<RollupResponse, { by: 'check' }>;
        expect(byCheck.rows.map(r => [r.checkId, r.counts.pass])).toEqual([
          ['docs', 3],
          ['owner', 3],
        ]);
      });

      it('leaves the others out of trends and movers', async () => {
        const all = await trends();
        expect(all.improved.map(m => m.entityRef)).toEqual([ref('secret-app')]);
        const theirs = await rollups.trends({
          scorecardId: 'card',
          scope: { type: 'all' },
          from: day(0),
          to: day(4),
          interval: Duration.fromISO('P1D'),
          visible,
        });
        expect(all.teams.improved.map(t => [t.ref, t.change])).toEqual([
          ['group:default/open', 20],
        ]);
        expect(theirs.improved).toEqual([]);
        expect(theirs.teams).toEqual({ improved: [], regressed: [] });
        expect(theirs.points.map(p => p.entities)).toEqual([3, 3, 3, 3, 3]);
        expect(theirs.points.map(p => p.averageScore)).toEqual([
          50, 50, 50, 50, 50,
        ]);
      });
    });

    it('tells entities owned by a person apart from those whose owner is missing', async () => {
      const owned = (ref: string, ownerRef?: string, ownerExists?: boolean) =>
        standing(`component:default/${ref}`, {
          score: 50,
          info: { ownerRef, ownerExists },
        });
      await store.writeEvaluations(
        [
          owned('by-team', 'group:default/team', true),
          owned('by-jane', 'user:default/jane', true),
          owned('by-a-leaver', 'user:default/gone', false),
          owned('by-a-typo', 'group:default/taem', false),
          owned('by-nobody'),
        ],
        T0,
      );

      const body = (await rollup('group')) as Extract<
        RollupResponse,
        { by: 'group' }
      >;

      expect(body.summary.entities).toBe(5);
      expect(body.groups.map(g => [g.ref, g.entities])).toEqual([
        ['group:default/team', 1],
      ]);
      expect(body.ownedByUsers.entities).toBe(1);
      expect(body.unowned.entities).toBe(3);
    });

    it('counts entities without a System or Domain in a summary of their own', async () => {
      await store.writeEvaluations(
        [
          standing('component:default/in-shop', {
            score: 80,
            info: {
              systemRef: 'system:default/shop',
              domainRef: 'domain:default/sales',
            },
          }),
          standing('component:default/loose', { score: 40 }),
          standing('component:default/loose-too', { score: 60 }),
        ],
        T0,
      );

      for (const by of ['system', 'domain'] as const) {
        const body = (await rollup(by)) as Extract<
          RollupResponse,
          { by: 'system' | 'domain' }
        >;
        expect(body.rows).toEqual([
          expect.objectContaining({ entities: 1, averageScore: 80 }),
        ]);
        expect(body.unassigned).toMatchObject({
          entities: 2,
          averageScore: 50,
        });
      }
    });

    it('counts the failing entities at every point of a trend', async () => {
      await store.writeEvaluations(
        [
          standing('component:default/a', { score: 50, failing: ['docs'] }),
          standing('component:default/b', { score: 100 }),
        ],
        day(1),
      );
      await store.writeEvaluations(
        [standing('component:default/a', { score: 100 })],
        day(3),
      );

      const { points } = await trends();

      expect(points.map(p => [p.entities, p.failing])).toEqual([
        [0, 0],
        [2, 1],
        [2, 1],
        [2, 0],
        [2, 0],
      ]);
    });

    it('does not count an entity that appeared in the window as improved', async () => {
      await store.writeEvaluations(
        [standing('component:default/a', { score: 40 })],
        day(0),
      );
      await store.writeEvaluations(
        [
          standing('component:default/a', { score: 70 }),
          standing('component:default/new', { score: 90 }),
        ],
        day(2),
      );

      const { improved, regressed } = await trends();

      expect(improved).toEqual([
        {
          entityRef: 'component:default/a',
          causes: [],
          fromScore: 40,
          toScore: 70,
          fromLevel: 'Bronze',
          toLevel: 'Bronze',
          change: 30,
        },
      ]);
      expect(regressed).toEqual([]);
    });

    it('marks a change of definitions and counts it as nobody’s regression', async () => {
      const refs = ['component:default/a', 'component:default/b'];
      await store.writeEvaluations(
        refs.map(ref => standing(ref, { score: 100 })),
        day(0),
      );
      // A check is added and both fail it: the definitions moved their scores.
      await store.writeEvaluations(
        refs.map(ref =>
          standing(ref, { score: 80, failing: ['docs'], definitions: 'v2' }),
        ),
        day(1),
      );
      // Then b regresses on its own.
      await store.writeEvaluations(
        [
          standing('component:default/b', {
            score: 60,
            failing: ['docs', 'owner'],
            definitions: 'v2',
          }),
        ],
        day(2),
      );

      const { points, improved, regressed } = await trends();

      expect(points.map(p => p.definitionsChanged ?? false)).toEqual([
        false,
        true,
        false,
        false,
        false,
      ]);
      expect(improved).toEqual([]);
      expect(regressed).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/b',
          fromScore: 100,
          toScore: 60,
          change: -20,
        }),
      ]);
      const history = await store.getHistory('component:default/a', {
        from: day(-1),
        to: day(5),
      });
      expect(history).toContainEqual(
        expect.objectContaining({
          type: 'scorecard',
          score: 80,
          failing: 1,
          definitionsChanged: true,
        }),
      );
    });

    describe('movers with their causes', () => {
      const ref = (name: string) => `component:default/${name}`;
      const team = { ownerRef: 'group:default/team', ownerExists: true };

      it('names the checks that changed, those that moved the entity its way first', async () => {
        await store.writeEvaluations(
          [
            standing(ref('a'), { score: 50, failing: ['docs'], info: team }),
            standing(ref('b'), { score: 50, failing: ['docs'], info: team }),
          ],
          day(0),
        );
        await store.writeEvaluations(
          [
            // a now passes docs but fails owner: a regression, of owner's doing.
            standing(ref('a'), { score: 20, failing: ['owner'], info: team }),
            standing(ref('b'), { score: 100, info: team }),
          ],
          day(2),
        );

        const { improved, regressed } = await trends();

        expect(regressed).toEqual([
          {
            entityRef: ref('a'),
            causes: [
              { checkId: 'owner', title: 'owner', from: 'pass', to: 'fail' },
              { checkId: 'docs', title: 'docs', from: 'fail', to: 'pass' },
            ],
            fromScore: 50,
            toScore: 20,
            fromLevel: 'Bronze',
            toLevel: null,
            change: -30,
          },
        ]);
        expect(improved).toEqual([
          expect.objectContaining({
            entityRef: ref('b'),
            causes: [
              { checkId: 'docs', title: 'docs', from: 'fail', to: 'pass' },
            ],
          }),
        ]);
      });

      it('moves a team by the mean change of its entities, counting who started and stopped passing each check', async () => {
        await store.saveOrgSnapshot({
          groups: [
            { ref: 'group:default/team', title: 'Team' },
            { ref: 'group:default/other', title: 'Other' },
          ],
          systems: [],
          domains: [],
        });
        const other = { ownerRef: 'group:default/other', ownerExists: true };
        await store.writeEvaluations(
          [
            standing(ref('a'), { score: 100, info: team }),
            standing(ref('b'), { score: 100, info: team }),
            standing(ref('c'), { score: 50, failing: ['docs'], info: other }),
          ],
          day(0),
        );
        await store.writeEvaluations(
          [
            standing(ref('a'), { score: 50, failing: ['docs'], info: team }),
            standing(ref('c'), { score: 100, info: other }),
            // Appears in the window: not counted in its team's change.
            standing(ref('d'), { score: 0, failing: ['owner'], info: team }),
          ],
          day(2),
        );

        const { teams } = await trends();

        expect(teams.regressed).toEqual([
          {
            ref: 'group:default/team',
            title: 'Team',
            entities: 2,
            fromScore: 100,
            toScore: 75,
            change: -25,
            causes: [
              { checkId: 'docs', title: 'docs', improved: 0, regressed: 1 },
            ],
          },
        ]);
        expect(teams.improved).toEqual([
          {
            ref: 'group:default/other',
            title: 'Other',
            entities: 1,
            fromScore: 50,
            toScore: 100,
            change: 50,
            causes: [
              { checkId: 'docs', title: 'docs', improved: 1, regressed: 0 },
            ],
          },
        ]);
      });

      it('lists the entities that appeared in the window, newest first', async () => {
        await store.writeEvaluations(
          [standing(ref('old'), { score: 50, failing: ['docs'] })],
          day(-5),
        );
        await store.writeEvaluations(
          [standing(ref('first'), { score: 100 })],
          day(1),
        );
        await store.writeEvaluations(
          [standing(ref('second'), { score: 50, failing: ['docs'] })],
          day(3),
        );

        const trend = await trends();

        expect(trend.new).toEqual({
          entities: [
            {
              entityRef: ref('second'),
              at: day(3).toISOString(),
              score: 50,
              level: 'Bronze',
            },
            {
              entityRef: ref('first'),
              at: day(1).toISOString(),
              score: 100,
              level: 'Bronze',
            },
          ],
          total: 2,
        });
        expect(trend.improved).toEqual([]);
      });

      it('reads imported history like its own, and explains a move across them', async () => {
        // Another tool saw the entity passing both checks before the plugin's first run.
        await store.importHistory(
          {
            source: 'old-tool',
            events: [
              {
                type: 'scorecard',
                entityRef: ref('a'),
                scorecardId: 'card',
                level: 'Bronze',
                score: 100,
                at: day(-10).toISOString(),
              },
              ...['owner', 'docs'].map(checkId => ({
                type: 'check' as const,
                entityRef: ref('a'),
                checkId,
                status: 'pass' as const,
                at: day(-10).toISOString(),
              })),
            ],
          },
          day(1),
        );
        // The plugin's first run finds it failing docs.
        await store.writeEvaluations(
          [standing(ref('a'), { score: 50, failing: ['docs'], info: team })],
          day(2),
        );

        const { regressed, points, new: appeared } = await trends();

        expect(points.map(p => p.averageScore)).toEqual([100, 100, 50, 50, 50]);
        expect(appeared.total).toBe(0);
        expect(regressed).toEqual([
          expect.objectContaining({
            entityRef: ref('a'),
            fromScore: 100,
            toScore: 50,
            causes: [
              { checkId: 'docs', title: 'docs', from: 'pass', to: 'fail' },
            ],
          }),
        ]);
      });
    });
  },
);
