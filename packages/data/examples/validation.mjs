// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/validation.mjs
import { validate } from '@omnifuse/data';

const visits = [
  {
    id: 'v1',
    patient: 'P-001',
    age: 34,
    sex: 'F',
    admitted: '2024-03-01',
    discharged: '2024-03-04',
    weightKg: 61.2,
  },
  {
    id: 'v2',
    patient: 'P-002',
    age: 212,
    sex: 'M',
    admitted: '2024-03-02',
    discharged: '2024-03-01',
    weightKg: 80.5,
  },
  { id: 'v3', patient: 'p3', age: 51, sex: 'X', admitted: '2024-03-05', discharged: null, weightKg: 70.1 },
];
const scale = [
  { patient: 'P-001', kg: 61.0 },
  { patient: 'P-002', kg: 84.0 },
];

const { summary, violations } = validate(
  visits,
  [
    { field: 'patient', type: 'string', required: true, pattern: '^P-\\d{3}$', unique: true },
    { field: 'age', type: 'integer', min: 0, max: 120 },
    { field: 'sex', type: 'category', oneOf: ['F', 'M'] },
    { field: 'discharged', type: 'date', required: true },
    { lessOrEqual: ['admitted', 'discharged'] },
    { name: 'plausible-bmi-input', check: (r) => r.weightKg > 2 || `weight ${r.weightKg} kg is implausible` },
    {
      name: 'weight-matches-scale',
      sources: ['visits', 'scale'],
      key: 'patient',
      field: ['weightKg', 'kg'],
      tolerance: 0.5,
    },
  ],
  { sources: { visits, scale } },
);
console.log(
  `${summary.violations} violation(s) in ${summary.recordsWithViolations} record(s):`,
  summary.byRule,
);
for (const v of violations) console.log(`  ${v.record} ${v.field ?? ''} [${v.rule}] ${v.message}`);
