import { formatAge, formatBytes, formatDuration, groupDigits, shortId } from './format';

describe('format', () => {
  it('formats durations for room ages', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59)).toBe('59s');
    expect(formatDuration(60)).toBe('1m');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(3600 + 12 * 60)).toBe('1h 12m');
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe('2d 4h');
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatAge('2026-01-01T11:55:00Z', now)).toBe('5m');
    expect(formatAge('2026-01-01T12:00:05Z', now)).toBe('0s'); // clock skew: never negative
    expect(formatAge('not a date', now)).toBe('—');
  });

  it('formats byte counts', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MiB');
    expect(formatBytes(-1)).toBe('—');
  });

  it('shortens ids and groups digits', () => {
    expect(shortId('0123456789abcdef')).toBe('01234567…');
    expect(shortId('abc')).toBe('abc');
    expect(groupDigits('1234567890123')).toBe('12345 67890 123');
  });
});
