/**
 * ZIP stores MS-DOS date/time: local wall-clock time, 2-second resolution, years 1980–2107. Dates outside that
 * range are clamped because a wrapped-around year would be worse than the nearest representable one.
 */
export function dosDateTime(date: Date): { time: number; date: number } {
  const year = date.getFullYear();
  if (Number.isNaN(year) || year < 1980) return { time: 0, date: (1 << 5) | 1 };
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}
