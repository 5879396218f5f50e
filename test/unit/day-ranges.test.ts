import { describe, expect, it } from 'vitest';
import { ExportRequest } from '../../lib/domain/exports.js';
import { FdaRequestInput } from '../../lib/domain/fda-requests.js';
import { DaySchema } from '../../lib/domain/ids.js';

describe('a range day: a date, or an instant read as its date (CONTRACT.md, Exports)', () => {
  it('reads an instant as the calendar day written in it, at its own offset', () => {
    expect(DaySchema.parse('2026-03-01')).toBe('2026-03-01');
    expect(DaySchema.parse('2026-03-01T23:30:00-05:00')).toBe('2026-03-01');
    expect(DaySchema.parse('2026-03-01T00:10:00+14:00')).toBe('2026-03-01');
    expect(DaySchema.parse('2026-03-01T12:00Z')).toBe('2026-03-01');
  });

  it('refuses what is neither', () => {
    for (const bad of ['2026-02-30', '2026-03-01T25:00:00Z', '2026-03-01T10:00:00', 'yesterday', '', 20260301])
      expect(DaySchema.safeParse(bad).success, String(bad)).toBe(false);
  });

  it('an export and an FDA request take instants in from/to and keep only their dates', () => {
    const e = ExportRequest.parse({ format: 'fsma204-csv', from: '2026-03-01T08:00:00-05:00', to: '2026-03-02T23:59:59Z' });
    expect([e.from, e.to]).toEqual(['2026-03-01', '2026-03-02']);
    const f = FdaRequestInput.parse({
      reference: 'FDA-1',
      requestedAt: '2026-03-02T09:00:00-05:00',
      requestedBy: { name: 'R. Inspector' },
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-01',
    });
    expect([f.from, f.to]).toEqual(['2026-03-01', '2026-03-01']);
  });

  it('compares the dates, not the instants: to earlier than from is still refused on the to field', () => {
    const r = ExportRequest.safeParse({ format: 'fsma204-csv', from: '2026-03-02T00:00:00Z', to: '2026-03-01T23:00:00Z' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['to']);
  });
});
