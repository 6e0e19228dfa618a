import { renderInTestApp } from '@backstage/test-utils';
import type { HeatmapResponse } from '@guardrails/plugin-scorecards-common';
import { screen, within } from '@testing-library/react';
import { recordings } from '../../__testUtils__/recordings';
import { Heatmap } from './Heatmap';

const heatmap = recordings.heatmapCheckAll.response
  .body as unknown as HeatmapResponse;

/** Makes every element report the given widths, as a browser does for laid-out content. */
function widths(scrollWidth: number, clientWidth: number) {
  const scroll = jest
    .spyOn(HTMLElement.prototype, 'scrollWidth', 'get')
    .mockReturnValue(scrollWidth);
  const client = jest
    .spyOn(HTMLElement.prototype, 'clientWidth', 'get')
    .mockReturnValue(clientWidth);
  return () => {
    scroll.mockRestore();
    client.mockRestore();
  };
}

describe('Heatmap', () => {
  it('says nothing about scrolling and adds no tab stop while every column fits', async () => {
    const restore = widths(900, 1000);
    try {
      await renderInTestApp(<Heatmap heatmap={heatmap} onOpen={jest.fn()} />);
      const region = screen.getByRole('region', { name: 'Heatmap cells' });
      expect(
        within(region).getByRole('table', { name: 'Heatmap' }),
      ).toBeInTheDocument();
      expect(region).not.toHaveAttribute('tabindex');
      expect(screen.queryByText(/scroll sideways/)).not.toBeInTheDocument();
    } finally {
      restore();
    }
  });

  it('says the columns scroll sideways and can be scrolled from the keyboard when they do not fit', async () => {
    const restore = widths(1508, 1096);
    try {
      await renderInTestApp(<Heatmap heatmap={heatmap} onOpen={jest.fn()} />);
      const region = screen.getByRole('region', { name: 'Heatmap cells' });
      expect(region).toHaveAttribute('tabindex', '0');
      expect(
        screen.getByText(
          `${heatmap.columns.length} columns: scroll sideways (or focus the heatmap and use the arrow keys) to see them all.`,
        ),
      ).toBeInTheDocument();
      // Every row keeps its name inside the scrolling region.
      for (const row of heatmap.rows) {
        expect(within(region).getByText(row.title)).toBeInTheDocument();
      }
    } finally {
      restore();
    }
  });
});
