import { OmnifuseError } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { fuseRecords, groupsFromMatches, stackPredictions } from './index.js';

const sources = {
  shop: { priority: 2, timestampField: 'updated' },
  feed: { priority: 1, timestampField: 'updated' },
  crawl: { priority: 0 },
};

describe('fuseRecords', () => {
  const group = {
    shop: { name: 'Desk lamp', price: 20, colour: 'black', updated: '2024-01-01', weight: null },
    feed: { name: 'Desk lamp LED 40cm', price: 18, colour: 'white', updated: '2024-03-01', weight: 0.8 },
    crawl: { name: 'desk lamp', price: 18, colour: 'white' },
  };

  it('applies per-field rules and records provenance and conflicts', () => {
    const result = fuseRecords([group], {
      sources,
      fields: { price: 'most-recent', colour: 'majority', name: 'longest' },
      outputFields: ['name', 'price', 'colour', 'weight'],
    });
    expect(result.records[0]).toEqual({
      name: 'Desk lamp LED 40cm',
      price: 18,
      colour: 'white',
      weight: 0.8,
    });
    expect(result.provenance[0]!.price).toEqual({ sources: ['feed', 'crawl'], rule: 'most-recent' });
    expect(result.provenance[0]!.weight).toEqual({ sources: ['feed'], rule: 'priority' });
    expect(result.conflicts.map((c) => c.field)).toEqual(['name', 'price', 'colour']);
    expect(result.conflicts[1]!.chosen).toBe(18);
  });

  it('priority takes the highest-priority source with a value; majority ties go to priority', () => {
    const result = fuseRecords(
      [{ shop: { colour: 'black', price: null }, feed: { colour: 'white', price: 5 } }],
      { sources, fields: { colour: 'majority' } },
    );
    expect(result.records[0]).toEqual({ colour: 'black', price: 5 });
  });

  it('most-recent ranks values without a timestamp last and falls back to priority', () => {
    const result = fuseRecords(
      [
        { shop: { p: 1 }, feed: { p: 2 }, crawl: { p: 3 } },
        { shop: { p: 1, updated: '2024-01-01' }, crawl: { p: 3 } },
        { shop: { p: 1, updated: 'not a date' }, feed: { p: 2, updated: 1700000000000 } },
      ],
      { sources, defaultRule: 'most-recent', outputFields: ['p'] },
    );
    expect(result.records.map((r) => r.p)).toEqual([1, 1, 2]);
  });

  it('mean and median over numbers, with a tolerance for agreement', () => {
    const groups = [{ shop: { t: 10 }, feed: { t: 10.04 }, crawl: { t: 13 } }];
    expect(fuseRecords(groups, { sources, defaultRule: 'mean' }).records[0]!.t).toBeCloseTo(11.0133, 4);
    expect(fuseRecords(groups, { sources, defaultRule: 'median' }).records[0]!.t).toBe(10.04);
    const tolerant = fuseRecords(groups, { sources, defaultRule: 'majority', tolerance: 0.05 });
    expect(tolerant.records[0]!.t).toBe(10);
    expect(tolerant.provenance[0]!.t!.sources).toEqual(['shop', 'feed']);
  });

  it('refuses mean over text, naming the group and field', () => {
    try {
      fuseRecords([{ shop: { t: 'warm' } }], { sources, defaultRule: 'mean' });
      expect.unreachable();
    } catch (error) {
      expect(OmnifuseError.isInstance(error)).toBe(true);
      expect((error as OmnifuseError).field).toBe('t');
      expect((error as OmnifuseError).record).toBe(0);
    }
    expect(() => fuseRecords([{ other: { t: 1 } }], { sources })).toThrow(/unknown source "other"/);
  });

  it('leaves unresolved fields null and lists them, unless a model decides', () => {
    const groups = [
      { shop: { t: 10 }, feed: { t: 12 } },
      { shop: { t: 7 }, feed: { t: 7 } },
    ];
    const plain = fuseRecords(groups, { sources, defaultRule: 'unanimous' });
    expect(plain.records).toEqual([{ t: null }, { t: 7 }]);
    expect(plain.unresolved).toEqual([{ group: 0, field: 't', reason: expect.stringMatching(/unanimous/) }]);

    // a stacker that learned the truth is the feed's value + 1
    const feed = Array.from({ length: 30 }, (_, i) => i);
    const shop = feed.map((v, i) => v + ((i * 7) % 5) - 2);
    const stacker = stackPredictions(
      { shop, feed },
      feed.map((v) => v + 1),
      { lambda: 0 },
    );
    const combined = fuseRecords(groups, { sources, defaultRule: 'unanimous', models: { t: stacker } });
    expect(combined.records[0]!.t).toBeCloseTo(13, 6);
    expect(combined.records[1]!.t).toBe(7);
    expect(combined.provenance[0]!.t).toEqual({ sources: ['model'], rule: 'unanimous→model' });
    expect(combined.unresolved).toEqual([]);
  });

  it('custom rules receive the candidates by priority', () => {
    const result = fuseRecords([group], {
      sources,
      outputFields: ['price'],
      fields: { price: (candidates) => Math.min(...candidates.map((c) => c.value as number)) },
    });
    expect(result.records[0]!.price).toBe(18);
    expect(result.provenance[0]!.price).toEqual({ sources: ['feed', 'crawl'], rule: 'custom' });
  });

  it('groupsFromMatches keeps every record', () => {
    const groups = groupsFromMatches(
      {
        matches: [{ left: { a: 1 }, right: { b: 1 } }],
        unmatchedLeft: [{ a: 2 }],
        unmatchedRight: [{ b: 3 }],
      },
      'shop',
      'feed',
    );
    expect(groups).toEqual([{ shop: { a: 1 }, feed: { b: 1 } }, { shop: { a: 2 } }, { feed: { b: 3 } }]);
  });
});
