// The CSV of the whole answer: one row per exposed company, as the API
// lists them.

export const CSV_HEADER = ['company_id', 'company', 'country', 'sectors', 'least_depth', 'path_count', 'confidence', 'since', 'first_suppliers', 'first_hop_reasons'];

export function csvRow(n, reasons) {
  return [
    n.company.id, n.company.name, n.company.country.code, n.company.sectors.map((s) => s.id).join(' '),
    n.minDepth, n.pathCount, n.confidence === null ? '' : n.confidence, n.since || '',
    n.uncoveredSuppliers.map((s) => s.id).join(' '), reasons.join(' '),
  ];
}

const cell = (v) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCSV(rows) {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
