import { renderInTestApp } from '@backstage/test-utils';
import type { GroupRollupNode } from '@guardrails/plugin-scorecards-common';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { handMadeGroupTree } from '../../__testUtils__/handMade';
import { GroupTree } from './GroupTree';

const LEVELS = ['Bronze', 'Silver', 'Gold'];

function render(roots: GroupRollupNode[], expanded: string[] = []) {
  const onScope = jest.fn();
  const onToggle = jest.fn();
  return renderInTestApp(
    <GroupTree
      roots={roots}
      levels={LEVELS}
      expanded={expanded}
      childrenOf={() => undefined}
      onToggle={onToggle}
      onScope={onScope}
      onRetry={jest.fn()}
    />,
  ).then(() => ({ onScope, onToggle }));
}

function row(title: string) {
  const table = screen.getByRole('table', { name: 'Groups' });
  const found = within(table)
    .getAllByRole('row')
    .find(r => within(r).queryByText(title, { exact: true }));
  if (!found) throw new Error(`No row ${title}`);
  return found;
}

/** What the header of each column says, in order. */
function headers() {
  return screen.getAllByRole('columnheader').map(h => h.textContent);
}

/** Removes what an older backend does not answer. */
function withoutNewFields(nodes: GroupRollupNode[]): GroupRollupNode[] {
  return nodes.map(node => {
    const { own: _own, categories: _categories, ...rest } = node;
    return {
      ...rest,
      children: withoutNewFields(node.children),
    } as GroupRollupNode;
  });
}

describe('GroupTree', () => {
  it("shows each group's pass rate per category as named numbers, in the scorecard's order", async () => {
    await render(handMadeGroupTree(), ['group:default/commerce']);
    expect(headers()).toContain('Pass rate by category');

    const commerce = within(row('Commerce')).getByRole('list', {
      name: 'Pass rate by category in Commerce',
    });
    expect(
      within(commerce)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      'Ownership100%',
      'Reliability58.3%',
      'Observability54.2%',
      'Security83.3%',
      'Documentation41.7%',
      'Delivery50%',
    ]);

    // A category with nothing counted says so, in words.
    const checkout = within(row('Checkout')).getByRole('list', {
      name: 'Pass rate by category in Checkout',
    });
    const delivery = within(checkout).getAllByRole('listitem')[5];
    expect(delivery).toHaveTextContent('Delivery–nothing counted');
    expect(delivery).toHaveAttribute('title', '0 pass, 0 fail');
    expect(within(checkout).getAllByRole('listitem')[1]).toHaveAttribute(
      'title',
      '9 pass, 3 fail',
    );
  });

  it('shows what a group owns directly apart from its subgroups, and how that stands', async () => {
    await render(handMadeGroupTree(), ['group:default/commerce']);
    const owned = headers().indexOf('Owned directly');
    const entities = headers().indexOf('Entities');

    const commerce = within(row('Commerce')).getAllByRole('cell');
    expect(commerce[entities]).toHaveTextContent(/^12$/);
    expect(commerce[owned]).toHaveTextContent(/^2average 64\.5 · 1 failing$/);

    // The organisation owns nothing itself: just the count.
    const org = within(row('Northwind Commerce')).getAllByRole('cell');
    expect(org[owned]).toHaveTextContent(/^0$/);
  });

  it('leaves out what an older backend does not give, without breaking', async () => {
    const { onScope } = await render(withoutNewFields(handMadeGroupTree()), [
      'group:default/commerce',
    ]);
    expect(headers()).not.toContain('Pass rate by category');
    expect(
      screen.queryByRole('list', { name: /^Pass rate by category/ }),
    ).toBeNull();
    const owned = headers().indexOf('Owned directly');
    expect(
      within(row('Commerce')).getAllByRole('cell')[owned],
    ).toHaveTextContent(/^2$/);
    expect(
      within(row('Checkout')).getAllByRole('cell')[owned],
    ).toHaveTextContent(/^6$/);

    const scope = screen.getByRole('button', { name: 'Scope to Checkout' });
    expect(scope).toHaveTextContent(/^Scope to$/);
    await userEvent.click(scope);
    expect(onScope).toHaveBeenCalledWith('group:default/team-checkout');
  });

  it('offers to expand a group the answer cut only when it has groups below it', async () => {
    const [org] = handMadeGroupTree();
    const [commerce] = org.children;
    const cut = (node: GroupRollupNode, hasChildren: boolean) => ({
      ...node,
      children: [],
      hasChildren,
    });
    const roots = [
      {
        ...org,
        children: [
          cut(commerce, true),
          cut({ ...commerce.children[0], title: 'Leaf' }, false),
        ],
      },
    ];
    const { onToggle } = await render(roots);
    await userEvent.click(
      screen.getByRole('button', { name: 'Show the groups in Commerce' }),
    );
    expect(onToggle).toHaveBeenCalledWith('group:default/commerce', true);
    expect(
      screen.queryByRole('button', { name: 'Show the groups in Leaf' }),
    ).toBeNull();
  });

  it('says "not available" for a group without categories when others have them', async () => {
    const [org] = handMadeGroupTree();
    const [commerce] = org.children;
    const { categories: _categories, ...search } = commerce.children[1];
    await render(
      [
        {
          ...org,
          children: [
            {
              ...commerce,
              children: [commerce.children[0], search as GroupRollupNode],
            },
          ],
        },
      ],
      ['group:default/commerce'],
    );
    expect(
      within(row('Search')).getByText('Not available'),
    ).toBeInTheDocument();
    expect(
      within(row('Checkout')).getByRole('list', {
        name: 'Pass rate by category in Checkout',
      }),
    ).toBeInTheDocument();
  });
});
