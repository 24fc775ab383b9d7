import { ErrorCode } from '@omnifuse/core';
import { describe, expect, it } from 'vitest';
import { thrown } from '../thrown.test-utils.js';
import { validate } from './index.js';

const records = [
  { id: 'p1', price: 10, qty: 2, sku: 'AB-001', color: 'red', start: '2024-01-01', end: '2024-02-01' },
  { id: 'p2', price: -1, qty: 2.5, sku: 'ab-2', color: 'mauve', start: '2024-03-01', end: '2024-02-01' },
  { id: 'p3', price: '12', qty: 1, sku: 'AB-001', color: null, start: '2024-01-01', end: 'soon' },
  { id: 'p4', price: Number.NaN, sku: 'AB-004', color: 'blue', start: '2024-01-01' },
];

describe('validate: field rules', () => {
  it('reports type, range, pattern, oneOf, required and unique violations per record', () => {
    const result = validate(records, [
      { field: 'price', type: 'number', min: 0, max: 100 },
      { field: 'qty', type: 'integer', required: true },
      { field: 'sku', pattern: '^AB-\\d{3}$', unique: true },
      { field: 'color', type: 'category', oneOf: ['red', 'green', 'blue'], required: true },
    ]);
    expect(result.violations.map((v) => [v.record, v.field, v.rule])).toEqual([
      ['p2', 'price', 'min'],
      ['p3', 'price', 'type'],
      ['p4', 'price', 'type'],
      ['p2', 'qty', 'type'],
      ['p4', 'qty', 'required'],
      ['p2', 'sku', 'pattern'],
      ['p3', 'sku', 'unique'],
      ['p2', 'color', 'oneOf'],
      ['p3', 'color', 'required'],
    ]);
    expect(result.violations[0]!.message).toBe('-1 is below the minimum 0');
    expect(result.violations[1]!.message).toBe('expected a finite number, found "12"');
    expect(result.violations[6]!.message).toBe('"AB-001" repeats the value of record "p1"');
    expect(result.valid).toBe(false);
    expect(result.summary).toEqual({
      records: 4,
      violations: 9,
      recordsWithViolations: 3,
      byRule: { min: 1, type: 3, required: 2, pattern: 1, unique: 1, oneOf: 1 },
      byField: { price: 3, qty: 2, sku: 2, color: 2 },
    });
  });

  it('compares dates against date bounds and checks string lengths', () => {
    const result = validate(records, [
      { field: 'start', type: 'date', min: '2024-01-01', max: '2024-02-15' },
      { field: 'sku', type: 'string', minLength: 5, maxLength: 6 },
    ]);
    expect(result.violations.map((v) => [v.record, v.rule])).toEqual([
      ['p2', 'max'],
      ['p2', 'minLength'],
    ]);
  });

  it('passes clean records', () => {
    const result = validate([{ a: 1 }, { a: 2 }], [{ field: 'a', type: 'integer', min: 1, unique: true }]);
    expect(result).toMatchObject({ valid: true, violations: [], summary: { recordsWithViolations: 0 } });
  });
});

describe('validate: cross-field rules', () => {
  it('runs custom checks (false or a message) and declarative comparisons', () => {
    const result = validate(records, [
      {
        name: 'affordable',
        check: (r) => typeof r.price !== 'number' || r.price < 11 || `too expensive: ${r.price}`,
      },
      { name: 'has-qty', field: 'qty', check: (r) => r.qty !== undefined },
      { lessThan: ['start', 'end'] },
      { name: 'qty-with-price', requiredWith: ['price', 'qty'] },
    ]);
    expect(result.violations.map((v) => [v.record, v.rule, v.message])).toEqual([
      ['p4', 'affordable', 'too expensive: NaN'],
      ['p4', 'has-qty', 'failed check "has-qty"'],
      ['p2', 'lessThan', 'start ("2024-03-01") must be < end ("2024-02-01")'],
      ['p3', 'lessThan', 'start and end must be numbers or dates to compare'],
      ['p4', 'qty-with-price', 'qty is required when price is present'],
    ]);
    expect(result.violations[1]!.field).toBe('qty');
  });

  it('turns a check that throws into a violation', () => {
    const result = validate(
      [{ a: 1 }],
      [
        {
          name: 'boom',
          check: () => {
            throw new Error('bad');
          },
        },
      ],
    );
    expect(result.violations[0]!.message).toBe('check threw: bad');
  });
});

describe('validate: cross-source rules', () => {
  const sensors = [
    { station: 'A', temp: 20.0 },
    { station: 'B', temp: 15.0 },
    { station: 'C', temp: 30.0 },
    { station: 'D', temp: 11.0 },
  ];
  const registry = [
    { code: 'A', temperature: 20.3 },
    { code: 'B', temperature: 17.0 },
    { code: 'C', temperature: 30.0 },
  ];

  it('compares matched records within the tolerance and reports unmatched keys when asked', () => {
    const result = validate(
      [],
      [
        {
          name: 'temp-agrees',
          sources: ['sensors', 'registry'],
          key: 'station',
          field: ['temp', 'temperature'],
          tolerance: 0.5,
          requireMatch: true,
        },
      ],
      {
        sources: {
          sensors,
          registry: registry.map((r) => ({ station: r.code, temperature: r.temperature })),
        },
      },
    );
    expect(result.violations.map((v) => [v.record, v.source, v.field, v.message])).toEqual([
      ['B', 'sensors', 'temp', 'sensors.temp = 15 but registry.temperature = 17 (beyond tolerance)'],
      ['D', 'sensors', 'station', 'no record in registry has station "D"'],
    ]);
    expect(result.summary.recordsWithViolations).toBe(2);
  });

  it('counts a source that is the validated records as those records in the summary', () => {
    const rules = [
      { field: 'temp', min: 16 },
      { name: 'agree', sources: ['sensors', 'registry'] as [string, string], key: 'station', field: 'temp' },
    ];
    const other = registry.map((r) => ({ station: r.code, temp: r.temperature }));
    const result = validate(sensors, rules, { sources: { sensors, registry: other } });
    expect(result.violations.map((v) => [v.record, v.rule])).toEqual([
      [1, 'min'],
      [3, 'min'],
      ['A', 'agree'],
      ['B', 'agree'],
    ]);
    expect(result.summary.recordsWithViolations).toBe(3);
    const copy = validate(sensors, rules, { sources: { sensors: [...sensors], registry: other } });
    expect(copy.summary.recordsWithViolations).toBe(4);
  });
});

describe('validate: bad rules', () => {
  it('refuses malformed rules, unknown fields and unknown sources with errors naming the rule', () => {
    const bad = thrown(() => validate(records, [{ field: 'price', type: 'money' as never }]));
    expect([bad.code, bad.path]).toEqual([ErrorCode.InvalidOptions, 'rules[0]']);
    const unknown = thrown(() => validate(records, [{ field: 'pricee', type: 'number' }]));
    expect([unknown.code, unknown.field]).toEqual([ErrorCode.MissingField, 'pricee']);
    expect(validate(records, [{ field: 'weight', required: true }]).violations).toHaveLength(4);
    const source = thrown(() =>
      validate(records, [{ name: 'x', sources: ['a', 'b'], key: 'id', field: 'price' }], {
        sources: { a: [] },
      }),
    );
    expect([source.code, source.path]).toEqual([ErrorCode.InvalidOptions, 'rules[0].sources']);
  });
});
