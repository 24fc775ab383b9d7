// Runs as is: node --conditions=@omnifuse/source --import tsx packages/data/examples/entity-matching.mjs
import { COMPANY_STOP_WORDS, jaroWinkler, matchRecords, normalizeKey } from '@omnifuse/data';

console.log(
  'MARTHA/MARHTA:',
  jaroWinkler('MARTHA', 'MARHTA').toFixed(3),
  '| DIXON/DICKSONX:',
  jaroWinkler('DIXON', 'DICKSONX').toFixed(3),
);
console.log(
  'key:',
  JSON.stringify(normalizeKey('  Société Générale S.A. ', { stopWords: COMPANY_STOP_WORDS })),
);

const crm = [
  { id: 1, company: 'Société Générale', country: 'FR' },
  { id: 2, company: 'Müller & Söhne GmbH', country: 'DE' },
  { id: 3, company: 'Northwind Traders', country: 'US' },
  { id: 4, company: 'Contoso Ltd', country: 'US' },
];
const invoices = [
  { ref: 'INV-9', company: 'SOCIETE GENERALE SA', country: 'FR' },
  { ref: 'INV-4', company: 'Mueller und Soehne', country: 'DE' },
  { ref: 'INV-7', company: 'Northwind Trader Inc.', country: 'US' },
  { ref: 'INV-2', company: 'Contoso Limited', country: 'US' },
  { ref: 'INV-3', company: 'Contoso Ltd.', country: 'US' },
];
const result = matchRecords(crm, invoices, {
  key: 'company',
  method: 'jaro-winkler',
  threshold: 0.85,
  stopWords: [...COMPANY_STOP_WORDS],
  blocking: (r) => r.country, // only compare within a country
});
for (const m of result.matches) console.log(`${m.left.company} ↔ ${m.right.company} (${m.score.toFixed(3)})`);
console.log('unmatched CRM:', result.unmatchedLeft.map((r) => r.company).join(', ') || 'none');
console.log(
  'ambiguous:',
  result.ambiguous
    .map((a) => `${a.left.company} → ${a.candidates.map((c) => c.right.ref).join(' | ')}`)
    .join('; ') || 'none',
);
